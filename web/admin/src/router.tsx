import { type ComponentChildren, createContext, type JSX } from 'preact';
import { useCallback, useContext, useEffect, useMemo, useState } from 'preact/hooks';

/**
 * The console's own tiny history router (the PWA's is not imported: the two entries share no
 * code of their own). Paths are relative to /admin: "/users" is /admin/users.
 */
export const BASE = '/admin';

export interface Route {
  /** Path below /admin, "/" for the overview. */
  path: string;
  query: URLSearchParams;
  navigate: (to: string, options?: { replace?: boolean }) => void;
}

const RouteContext = createContext<Route | null>(null);

const current = () => ({ path: location.pathname.replace(/\/+$/, '').slice(BASE.length) || '/', search: location.search });

export const href = (to: string) => (to === '/' ? BASE : BASE + to);

export function RouterProvider(props: { children: ComponentChildren }) {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const onPop = () => setLoc(current());
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  const navigate = useCallback((to: string, options?: { replace?: boolean }) => {
    const url = new URL(href(to), location.href);
    history[options?.replace ? 'replaceState' : 'pushState'](null, '', url.pathname + url.search);
    setLoc(current());
    scrollTo(0, 0);
    // Move focus to the new page so screen readers and keyboard users start at its top.
    requestAnimationFrame(() => document.getElementById('main')?.focus());
  }, []);
  const value = useMemo<Route>(() => ({ path: loc.path, query: new URLSearchParams(loc.search), navigate }), [loc, navigate]);
  return <RouteContext.Provider value={value}>{props.children}</RouteContext.Provider>;
}

export function useRoute(): Route {
  const value = useContext(RouteContext);
  if (!value) throw new Error('useRoute outside RouterProvider');
  return value;
}

/** An in-console link (plain clicks navigate in place; modified clicks open as usual). */
export function Link({ to, ...rest }: Omit<JSX.HTMLAttributes<HTMLAnchorElement>, 'href'> & { to: string }) {
  const { navigate, path } = useRoute();
  const onClick = (e: JSX.TargetedMouseEvent<HTMLAnchorElement>) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  const here = to === '/' ? path === '/' : path === to || path.startsWith(`${to}/`);
  return <a href={href(to)} {...rest} aria-current={here ? 'page' : undefined} onClick={onClick} />;
}
