/**
 * Which page the address's hash names. The desktop shell opens the window on
 * a page this way (`#check`, `#settings`, `#history/RUN_ID` from a
 * notification, `#keys` from a locked-key notification), and the app keeps
 * the hash in step so a reload in a browser stays where it was.
 */

export type PageName = 'status' | 'history' | 'backups' | 'check' | 'keys' | 'settings';

export interface Route {
  page: PageName;
  /** A run to open on the history page. */
  runId?: string;
}

const PAGES: readonly PageName[] = ['status', 'history', 'backups', 'check', 'keys', 'settings'];

/** `#history/abc` -> `{ page: 'history', runId: 'abc' }`; anything unknown is the status page. */
export function routeFromHash(hash: string): Route {
  const [head = '', ...rest] = hash.replace(/^#\/?/, '').split('/');
  // "welcome" is the status place: it shows the welcome page for as long as nothing is configured.
  if (head === 'welcome') return { page: 'status' };
  // The Backups page was called Archives: old links still land there.
  if (head === 'archives') return { page: 'backups' };
  const page = PAGES.find((p) => p === head) ?? 'status';
  const runId = page === 'history' && rest.length > 0 ? decodeURIComponent(rest.join('/')) : undefined;
  return runId ? { page, runId } : { page };
}

/** The hash for a route, the inverse of `routeFromHash`. */
export function hashForRoute(route: Route): string {
  return route.runId ? `#${route.page}/${encodeURIComponent(route.runId)}` : `#${route.page}`;
}
