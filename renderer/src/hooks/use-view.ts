/**
 * The page in view, kept in step with the address's hash: the desktop shell
 * changes the hash to open a page (a tray item, a notification), and a
 * browser reload stays on the same page.
 */
import { useCallback, useEffect, useState } from 'react';
import type { ConfigDocument } from '../../../shared/api-contract';
import { hashForRoute, routeFromHash, type Route } from '../lib/hash-route';

export interface View extends Route {
  /** Goes up on every navigation, so a page visited again starts fresh. */
  visit: number;
  /** A config document to open Settings with instead of the file. */
  document?: ConfigDocument;
}

/** The current view, and a function to go elsewhere. */
export function useView(): [View, (route: Route, document?: ConfigDocument) => void] {
  const [view, setView] = useState<View>(() => ({ ...routeFromHash(window.location.hash), visit: 0 }));

  useEffect(() => {
    const onHash = () => setView((v) => ({ ...routeFromHash(window.location.hash), visit: v.visit + 1 }));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const navigate = useCallback((route: Route, document?: ConfigDocument) => {
    const { pathname, search } = window.location;
    // replaceState, not location.hash: no hashchange back to ourselves, and no history entry per click.
    window.history.replaceState(window.history.state, '', `${pathname}${search}${hashForRoute(route)}`);
    setView((v) => ({ ...route, visit: v.visit + 1, ...(document ? { document } : {}) }));
  }, []);

  return [view, navigate];
}
