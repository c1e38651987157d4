import { type ComponentChildren, createContext, type JSX } from 'preact';
import { useCallback, useContext, useEffect, useMemo, useState } from 'preact/hooks';

/**
 * A tiny history router: the current path and query, navigate(), and <Link>. Enough for six
 * pages without a routing dependency.
 */
export interface Route {
  path: string;
  query: URLSearchParams;
  navigate: (to: string, options?: { replace?: boolean }) => void;
}

const RouteContext = createContext<Route | null>(null);

const current = () => ({ path: location.pathname.replace(/\/+$/, '') || '/', search: location.search });

export function RouterProvider(props: { children: ComponentChildren }) {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const onPop = () => setLoc(current());
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  const navigate = useCallback((to: string, options?: { replace?: boolean }) => {
    const url = new URL(to, location.href);
    if (url.origin !== location.origin) {
      location.assign(url.href);
      return;
    }
    history[options?.replace ? 'replaceState' : 'pushState'](null, '', url.pathname + url.search + url.hash);
    setLoc(current());
    scrollTo(0, 0);
  }, []);
  const value = useMemo<Route>(() => ({ path: loc.path, query: new URLSearchParams(loc.search), navigate }), [loc, navigate]);
  return <RouteContext.Provider value={value}>{props.children}</RouteContext.Provider>;
}

export function useRoute(): Route {
  const value = useContext(RouteContext);
  if (!value) throw new Error('useRoute outside RouterProvider');
  return value;
}

/** An <a> that navigates in the app (plain clicks only; modified clicks open as usual). */
export function Link({ href, ...rest }: JSX.HTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const { navigate, path } = useRoute();
  // Enter on a focused link fires click too, so keyboard users get the same navigation.
  const onClick = (e: JSX.TargetedMouseEvent<HTMLAnchorElement>) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return <a href={href} {...rest} aria-current={path === href ? 'page' : undefined} onClick={onClick} />;
}
