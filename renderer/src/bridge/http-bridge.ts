/**
 * The bridge in a browser, talking to `burrow serve`: request `K` is
 * `POST /api/K` with the arguments as JSON and the token as a bearer header;
 * events come over one EventSource shared by all listeners. The method table
 * is built from the contract's request names, so a new request needs no edit here.
 */
import { bridgeFromRaw, REQUEST_NAMES, type AppEvent, type AppState, type BurrowBridge, type RawBridge, type RequestName } from '../../../shared/api-contract';
import { BridgeError, isReply, type Reply } from '../../../shared/api-reply';

export { BridgeError } from '../../../shared/api-reply';

/** The few members of an EventSource the bridge uses, so tests can stand one in. */
export interface EventSourceLike {
  onmessage: ((ev: { data: string }) => void) | null;
  onopen: (() => void) | null;
  onerror: (() => void) | null;
  close(): void;
}

export interface HttpBridgeOptions {
  token: string | undefined;
  /** Prefix for the API's URLs; empty means the page's own origin. */
  baseUrl?: string;
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  openEvents?: (url: string) => EventSourceLike;
}

const NO_TOKEN = 'This page has no access token. Open it with the link `burrow serve` printed (it ends in ?token=...).';

/** The URL and fetch options of one request. Pure, so the encoding is testable. */
export function encodeRequest(name: RequestName, args: unknown, token: string, baseUrl = ''): { url: string; init: RequestInit } {
  return {
    url: `${baseUrl}/api/${name}`,
    init: {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(args ?? {}),
    },
  };
}

/** The reply envelope of a response; a BridgeError when the server answered something else. */
export async function decodeResponse(res: Response): Promise<Reply<unknown>> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new BridgeError({ kind: 'transport', message: `The server answered ${res.status} ${res.statusText} without JSON.` });
  }
  if (isReply(body)) return body;
  throw new BridgeError({ kind: 'transport', message: `The server answered ${res.status} ${res.statusText}.` });
}

/** The events URL: EventSource cannot send headers, so the token rides in the query. */
export function eventsUrl(token: string, baseUrl = ''): string {
  return `${baseUrl}/api/events?token=${encodeURIComponent(token)}`;
}

/** Parses one event message; undefined for anything that is not an event object. */
export function parseEvent(data: string): AppEvent | undefined {
  try {
    const parsed: unknown = JSON.parse(data);
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { type?: unknown }).type === 'string') {
      return parsed as AppEvent;
    }
  } catch {
    // A comment or keep-alive line: nothing to deliver.
  }
  return undefined;
}

/** Builds the browser's bridge. */
export function createHttpBridge(options: HttpBridgeOptions): BurrowBridge {
  const { token, baseUrl = '' } = options;
  const doFetch = options.fetch ?? ((url, init) => fetch(url, init));
  const openEvents = options.openEvents ?? ((url) => new EventSource(url) as unknown as EventSourceLike);

  async function call(name: RequestName, args: unknown): Promise<Reply<unknown>> {
    if (!token) throw new BridgeError({ kind: 'transport', message: NO_TOKEN });
    const { url, init } = encodeRequest(name, args, token, baseUrl);
    let res: Response;
    try {
      res = await doFetch(url, init);
    } catch (err) {
      throw new BridgeError({
        kind: 'transport',
        message: `Burrow is not answering (${err instanceof Error ? err.message : String(err)}). Is \`burrow serve\` still running?`,
      });
    }
    return decodeResponse(res);
  }

  const listeners = new Set<(event: AppEvent) => void>();
  let source: EventSourceLike | undefined;
  let dropped = false;

  const deliver = (event: AppEvent) => {
    for (const l of [...listeners]) l(event);
  };

  function connect() {
    if (!token || source) return;
    source = openEvents(eventsUrl(token, baseUrl));
    source.onmessage = (ev) => {
      const event = parseEvent(ev.data);
      if (event) deliver(event);
    };
    source.onerror = () => {
      dropped = true;
    };
    source.onopen = () => {
      // Events sent while the stream was down are lost; one fresh state makes up for them.
      if (!dropped) return;
      dropped = false;
      call('getState', {}).then(
        (reply) => {
          if (reply.ok) deliver({ type: 'state', state: reply.value as AppState });
        },
        () => undefined,
      );
    };
  }

  const methods = Object.fromEntries(REQUEST_NAMES.map((name) => [name, (args: unknown) => call(name, args)]));
  return bridgeFromRaw({
    ...(methods as Omit<RawBridge, 'onEvent'>),
    onEvent(listener) {
      listeners.add(listener);
      connect();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && source) {
          source.close();
          source = undefined;
        }
      };
    },
  });
}
