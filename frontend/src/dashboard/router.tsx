// A small history-based router: the address bar is the state, pushState/replaceState change it,
// and popstate (back/forward) re-renders.

import { type AnchorHTMLAttributes, type MouseEvent, useSyncExternalStore } from "react";

const CHANGED = "dashboard:navigate";

function subscribe(onChange: () => void): () => void {
  window.addEventListener("popstate", onChange);
  window.addEventListener(CHANGED, onChange);
  return () => {
    window.removeEventListener("popstate", onChange);
    window.removeEventListener(CHANGED, onChange);
  };
}

const href = () => window.location.href;

export interface Place {
  pathname: string;
  search: string;
  state: unknown;
}

/** The current address (re-rendering on every navigation, back and forward included). */
export function usePlace(): Place {
  const current = useSyncExternalStore(subscribe, href);
  const url = new URL(current);
  return { pathname: url.pathname, search: url.search, state: window.history.state };
}

export function navigate(to: string, options: { replace?: boolean; state?: unknown } = {}): void {
  const state = options.state ?? null;
  if (options.replace) window.history.replaceState(state, "", to);
  else window.history.pushState(state, "", to);
  window.dispatchEvent(new Event(CHANGED));
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string; state?: unknown };

/** A real link (middle-click, ctrl-click and copying work) that navigates in the page. */
export function Link({ to, state, onClick, ...rest }: LinkProps) {
  const follow = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to, { state });
  };
  return <a href={to} onClick={follow} {...rest} />;
}
