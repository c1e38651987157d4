import { type ComponentChildren, createContext, type JSX } from 'preact';
import { useCallback, useContext, useEffect, useMemo, useState } from 'preact/hooks';

/**
 * A tiny history router shared by the PWA and the admin console: the current path and query,
 * navigate(), and <Link>. Enough for a handful of pages without a routing dependency. Each entry
 * makes its own with createRouter, so the two never share a route context.
 */
export interface Route {
  /** Path below the router's base, "/" for its first page. */
  path: string;
  query: URLSearchParams;
  /** Goes to an in-app path (below the base, starting with "/"). */
  navigate: (to: string, options?: { replace?: boolean }) => void;
}

export interface RouterOptions {
  /** Where the app lives, e.g. "/admin"; "" (the default) for the site root. */
  base?: string;
  /** An element id to focus after each navigation, so screen readers start at the new page. */
  focusId?: string;
}

export interface Router {
  RouterProvider: (props: { children: ComponentChildren }) => JSX.Element;
  useRoute: () => Route;
  /** An in-app link (plain clicks navigate in place; modified clicks open as usual). */
  Link: (props: Omit<JSX.HTMLAttributes<HTMLAnchorElement>, 'href'> & { to: string }) => JSX.Element;
  /** The real URL path of an in-app path. */
  href: (to: string) => string;
}

/** Makes a router for an app mounted at `options.base`. */
export function createRouter(options: RouterOptions = {}): Router {
  const base = options.base ?? '';
  // Links and navigate() take in-app paths ("/users?q=x"), never another origin.
  const href = (to: string) => (to === '/' && base ? base : base + to);
  const below = (pathname: string) => pathname.replace(/\/+$/, '').slice(base.length) || '/';
  const current = () => ({ path: below(location.pathname), search: location.search });
  const RouteContext = createContext<Route | null>(null);

  function RouterProvider(props: { children: ComponentChildren }) {
    const [loc, setLoc] = useState(current);
    useEffect(() => {
      const onPop = () => setLoc(current());
      addEventListener('popstate', onPop);
      return () => removeEventListener('popstate', onPop);
    }, []);
    const navigate = useCallback((to: string, navOptions?: { replace?: boolean }) => {
      const url = new URL(href(to), location.href);
      history[navOptions?.replace ? 'replaceState' : 'pushState'](null, '', url.pathname + url.search + url.hash);
      setLoc(current());
      scrollTo(0, 0);
      const focusId = options.focusId;
      if (focusId) requestAnimationFrame(() => document.getElementById(focusId)?.focus());
    }, []);
    const value = useMemo<Route>(() => ({ path: loc.path, query: new URLSearchParams(loc.search), navigate }), [loc, navigate]);
    return <RouteContext.Provider value={value}>{props.children}</RouteContext.Provider>;
  }

  function useRoute(): Route {
    const value = useContext(RouteContext);
    if (!value) throw new Error('useRoute outside RouterProvider');
    return value;
  }

  function Link({ to, ...rest }: Omit<JSX.HTMLAttributes<HTMLAnchorElement>, 'href'> & { to: string }) {
    const { navigate, path } = useRoute();
    // Enter on a focused link fires click too, so keyboard users get the same navigation.
    const onClick = (e: JSX.TargetedMouseEvent<HTMLAnchorElement>) => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      navigate(to);
    };
    // A section link stays current on its sub-pages ("/users" on "/users/ann"); "/" only on itself.
    const here = to === '/' ? path === '/' : path === to || path.startsWith(`${to}/`);
    return <a href={href(to)} {...rest} aria-current={here ? 'page' : undefined} onClick={onClick} />;
  }

  return { RouterProvider, useRoute, Link, href };
}
