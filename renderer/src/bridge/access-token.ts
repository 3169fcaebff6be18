/**
 * The access token of `burrow serve`. It arrives once in the page URL; it is
 * kept for the tab's life in sessionStorage (so a reload still works) and
 * taken out of the address bar so it is not bookmarked, shared or left in
 * the history.
 */

const STORAGE_KEY = 'burrow.token';

/** The parts of `window` the token needs, so tests can pass stand-ins. */
export interface TokenEnvironment {
  location: { href: string };
  sessionStorage: Pick<Storage, 'getItem' | 'setItem'>;
  history: Pick<History, 'replaceState' | 'state'>;
}

/** Reads the token from `?token=` (then hides it) or from this tab's storage. */
export function takeAccessToken(env: TokenEnvironment): string | undefined {
  const url = new URL(env.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    try {
      env.sessionStorage.setItem(STORAGE_KEY, fromUrl);
    } catch {
      // Storage can be off (private modes, policies): this load still works, a reload will not.
    }
    url.searchParams.delete('token');
    env.history.replaceState(env.history.state, '', `${url.pathname}${url.search}${url.hash}`);
    return fromUrl;
  }
  try {
    return env.sessionStorage.getItem(STORAGE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}
