import type { ComponentChildren } from 'preact';
import { navigate } from '../router';

/** An in-app link: a real <a href> (so it can open in a new tab), navigating without a reload on a plain click. */
export function Link(props: { href: string; children: ComponentChildren; class?: string; testid?: string; title?: string }) {
  const onClick = (e: MouseEvent): void => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(props.href);
  };
  return (
    <a href={props.href} onClick={onClick} class={props.class} data-testid={props.testid} title={props.title}>
      {props.children}
    </a>
  );
}
