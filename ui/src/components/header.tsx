import { useEffect, useState } from 'preact/hooks';
import { listNamespaces, uiClock, type UiConfig } from '../api';
import { formatTime } from '../format';
import { useLoad } from '../hooks';
import { href, navigate, type Route } from '../router';
import { Link } from './link';

/** The bar on every page: namespace switcher, the three sections, and the server's virtual time when it skips time. */
export function Header({ route, config }: { route: Route; config: UiConfig }) {
  const namespaces = useLoad(listNamespaces, []);
  const names = (namespaces.data?.namespaces ?? []).map((n) => n.namespaceInfo?.name ?? '').filter((n) => n !== '');
  if (!names.includes(route.ns)) names.push(route.ns);
  const section = route.page === 'run' ? 'workflows' : route.page;
  const nav = [
    { page: 'workflows', label: 'Workflows', to: href({ page: 'workflows', ns: route.ns, query: '', status: '' }) },
    { page: 'schedules', label: 'Schedules', to: href({ page: 'schedules', ns: route.ns, scheduleId: '' }) },
    { page: 'task-queues', label: 'Task queues', to: href({ page: 'task-queues', ns: route.ns, name: '' }) },
  ];
  return (
    <header class="top">
      <Link href={nav[0]?.to ?? '/'} class="brand">
        <svg width="12" height="14" viewBox="0 0 12 14" aria-hidden="true">
          <path d="M1 1h10M1 13h10M2 1c0 4 4 4 4 6s-4 2-4 6M10 1c0 4-4 4-4 6s4 2 4 6" fill="none" stroke="currentColor" stroke-width="1.5" />
        </svg>{' '}
        Hourglass
      </Link>
      <label class="ns">
        <span class="muted">namespace</span>
        <select
          data-testid="namespace-switcher"
          value={route.ns}
          onChange={(e) => navigate(href({ page: 'workflows', ns: e.currentTarget.value, query: '', status: '' }))}
        >
          {names.sort().map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <nav>
        {nav.map((n) => (
          <Link key={n.page} href={n.to} class={section === n.page ? 'active' : ''}>
            {n.label}
          </Link>
        ))}
      </nav>
      <span class="spacer" />
      {config.timeSkipping && <VirtualClock />}
      <span class="muted" title="Hourglass version">
        v{config.serverVersion}
      </span>
    </header>
  );
}

/** The server's clock, which jumps ahead whenever it skips time; polled, since only the server knows when it does. */
function VirtualClock() {
  const [now, setNow] = useState<string>();
  useEffect(() => {
    let live = true;
    const tick = (): void =>
      void uiClock().then(
        (c) => live && setNow(c.now),
        () => undefined,
      );
    tick();
    const timer = window.setInterval(tick, 1000);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, []);
  return (
    <span class="clock" data-testid="virtual-time" title="The server's virtual time (time skipping)">
      virtual time {now ? formatTime(now, new Date(0)) : '…'}
    </span>
  );
}
