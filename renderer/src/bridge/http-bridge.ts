/**
 * The bridge in a browser, talking to `burrow serve`: request `K` is
 * `POST /api/K` with the arguments as JSON and the token as a bearer header;
 * events come over one EventSource shared by all listeners. The method table
 * is built from the contract's request names, so a new request needs no edit here.
 */
import { REQUEST_NAMES, type AppEvent, type BurrowBridge, type RequestName } from '../../../shared/api-contract';
import type { ConfigProblem } from '../../../shared/config-schema';

/** A failed request, with the config problems the server named, if any. */
export class BridgeError extends Error {
  override readonly name = 'BridgeError';
  constructor(
    message: string,
    readonly problems?: ConfigProblem[],
    readonly status?: number,
  ) {
    super(message);
  }
}

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

/** The result of a response, or a BridgeError with the server's message and problems. */
export async function decodeResponse(res: Response): Promise<unknown> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new BridgeError(`The server answered ${res.status} ${res.statusText} without JSON.`, undefined, res.status);
  }
  const envelope = (typeof body === 'object' && body !== null ? body : {}) as {
    ok?: unknown;
    result?: unknown;
    error?: { message?: unknown; problems?: unknown };
  };
  if (res.ok && envelope.ok === true) return envelope.result;
  const message = typeof envelope.error?.message === 'string' ? envelope.error.message : `The server answered ${res.status} ${res.statusText}.`;
  const problems = Array.isArray(envelope.error?.problems) ? (envelope.error.problems as ConfigProblem[]) : undefined;
  throw new BridgeError(message, problems, res.status);
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

  async function call(name: RequestName, args: unknown): Promise<unknown> {
    if (!token) throw new BridgeError(NO_TOKEN, undefined, 401);
    const { url, init } = encodeRequest(name, args, token, baseUrl);
    let res: Response;
    try {
      res = await doFetch(url, init);
    } catch (err) {
      throw new BridgeError(`Burrow is not answering (${err instanceof Error ? err.message : String(err)}). Is \`burrow serve\` still running?`);
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
        (state) => deliver({ type: 'state', state } as AppEvent),
        () => undefined,
      );
    };
  }

  const methods = Object.fromEntries(REQUEST_NAMES.map((name) => [name, (args: unknown) => call(name, args)]));
  return {
    ...(methods as Omit<BurrowBridge, 'onEvent'>),
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
  };
}
