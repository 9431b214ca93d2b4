/**
 * History API routes: every page has a path (the Temporal UI's shapes, e.g.
 * /namespaces/default/workflows/<id>/<runId>/history), so a URL can be bookmarked, shared or opened in a new tab; the
 * UI server answers index.html for any such path.
 */
import { useEffect, useState } from 'preact/hooks';

export const runTabs = ['summary', 'history', 'compact', 'timeline', 'stack', 'actions'] as const;
export type RunTab = (typeof runTabs)[number];

export type Route =
  | { page: 'workflows'; ns: string; query: string; status: string }
  | { page: 'run'; ns: string; workflowId: string; runId: string; tab: RunTab }
  | { page: 'task-queues'; ns: string; name: string }
  | { page: 'schedules'; ns: string; scheduleId: string }
  | { page: 'not-found'; ns: string; path: string };

const seg = encodeURIComponent;

export function parseRoute(pathname: string, search: string, defaultNamespace: string): Route {
  const parts = pathname
    .split('/')
    .filter((p) => p !== '')
    .map(decodeURIComponent);
  if (parts.length === 0) return { page: 'workflows', ns: defaultNamespace, query: '', status: '' };
  const [first, ns = defaultNamespace, section, a, b, c] = parts;
  if (first !== 'namespaces') return { page: 'not-found', ns: defaultNamespace, path: pathname };
  switch (section) {
    case undefined:
    case 'workflows':
      if (a === undefined) {
        const params = new URLSearchParams(search);
        return { page: 'workflows', ns, query: params.get('query') ?? '', status: params.get('status') ?? '' };
      }
      if (b === undefined) break;
      return { page: 'run', ns, workflowId: a, runId: b, tab: runTabs.find((t) => t === c) ?? 'summary' };
    case 'task-queues':
      return { page: 'task-queues', ns, name: a ?? '' };
    case 'schedules':
      return { page: 'schedules', ns, scheduleId: a ?? '' };
  }
  return { page: 'not-found', ns, path: pathname };
}

export function href(route: Route): string {
  switch (route.page) {
    case 'workflows': {
      const params = new URLSearchParams();
      if (route.status) params.set('status', route.status);
      if (route.query) params.set('query', route.query);
      const search = params.toString();
      return `/namespaces/${seg(route.ns)}/workflows${search ? `?${search}` : ''}`;
    }
    case 'run':
      return `/namespaces/${seg(route.ns)}/workflows/${seg(route.workflowId)}/${seg(route.runId)}${route.tab === 'summary' ? '' : `/${route.tab}`}`;
    case 'task-queues':
      return `/namespaces/${seg(route.ns)}/task-queues${route.name ? `/${seg(route.name)}` : ''}`;
    case 'schedules':
      return `/namespaces/${seg(route.ns)}/schedules${route.scheduleId ? `/${seg(route.scheduleId)}` : ''}`;
    case 'not-found':
      return route.path;
  }
}

const changed = 'hourglass:navigate';

/** Goes to a path without reloading; `replace` for changes that should not add a Back step (such as typing a filter). */
export function navigate(path: string, replace = false): void {
  if (path === location.pathname + location.search) return;
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  window.dispatchEvent(new Event(changed));
  if (!replace) window.scrollTo(0, 0);
}

/** The current location, re-rendering on Back / Forward and on `navigate`. */
export function useLocation(): { pathname: string; search: string } {
  const read = (): { pathname: string; search: string } => ({ pathname: location.pathname, search: location.search });
  const [current, setCurrent] = useState(read);
  useEffect(() => {
    const update = (): void => setCurrent(read());
    window.addEventListener('popstate', update);
    window.addEventListener(changed, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(changed, update);
    };
  }, []);
  return current;
}
