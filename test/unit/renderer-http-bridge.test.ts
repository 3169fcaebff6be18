import { describe, expect, it } from 'vitest';
import { REQUEST_NAMES, type AppEvent, type AppState } from '../../shared/api-contract';
import { takeAccessToken } from '../../renderer/src/bridge/access-token';
import { BridgeError, createHttpBridge, encodeRequest, type EventSourceLike } from '../../renderer/src/bridge/http-bridge';
import { errorMessage, errorProblems } from '../../renderer/src/lib/errors';

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

function recordingFetch(answer: (url: string) => Response) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return answer(url);
  };
  return { calls, fetch };
}

class FakeEventSource implements EventSourceLike {
  static opened: FakeEventSource[] = [];
  onmessage: ((ev: { data: string }) => void) | null = null;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  closed = false;
  constructor(readonly url: string) {
    FakeEventSource.opened.push(this);
  }
  close() {
    this.closed = true;
  }
}

describe('renderer HTTP bridge', () => {
  it('encodes a request as POST /api/NAME with bearer token and JSON body', () => {
    const { url, init } = encodeRequest('runNow', { job: 'cvs' }, 's3cret');
    expect(url).toBe('/api/runNow');
    expect(init.method).toBe('POST');
    expect(init.headers).toEqual({ Authorization: 'Bearer s3cret', 'Content-Type': 'application/json' });
    expect(init.body).toBe('{"job":"cvs"}');
  });

  it('has one method per request name, each posting to its own URL', async () => {
    const { calls, fetch } = recordingFetch(() => json(200, { ok: true, result: { started: true } }));
    const bridge = createHttpBridge({ token: 't', fetch });
    for (const name of REQUEST_NAMES) expect(typeof bridge[name]).toBe('function');
    await expect(bridge.runNow({ job: 'cvs' })).resolves.toEqual({ started: true });
    await bridge.listRuns({ limit: 200 });
    expect(calls.map((c) => c.url)).toEqual(['/api/runNow', '/api/listRuns']);
    expect(calls[1]!.init.body).toBe('{"limit":200}');
  });

  it('turns an error envelope into an Error carrying message and problems', async () => {
    const problems = [{ field: 'jobs[0].schedule', message: 'must be a 5-field cron expression' }];
    const { fetch } = recordingFetch(() => json(400, { ok: false, error: { message: 'invalid config', problems } }));
    const bridge = createHttpBridge({ token: 't', fetch });
    const err = await bridge.saveConfig({ document: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BridgeError);
    expect(errorMessage(err)).toBe('invalid config');
    expect(errorProblems(err)).toEqual(problems);
    expect((err as BridgeError).status).toBe(400);
  });

  it('says what is wrong when the answer is not JSON, or there is no token', async () => {
    const { fetch } = recordingFetch(() => new Response('nope', { status: 502, statusText: 'Bad Gateway' }));
    await expect(createHttpBridge({ token: 't', fetch }).getState({})).rejects.toThrow('502 Bad Gateway');
    const none = recordingFetch(() => json(200, { ok: true, result: null }));
    await expect(createHttpBridge({ token: undefined, fetch: none.fetch }).getState({})).rejects.toThrow('?token=');
    expect(none.calls).toEqual([]);
  });

  it('shares one event stream, parses messages, and closes it with the last listener', () => {
    FakeEventSource.opened = [];
    const bridge = createHttpBridge({ token: 'a b', fetch: recordingFetch(() => json(200, {})).fetch, openEvents: (u) => new FakeEventSource(u) });
    const seen: AppEvent[][] = [[], []];
    const off1 = bridge.onEvent((e) => seen[0]!.push(e));
    const off2 = bridge.onEvent((e) => seen[1]!.push(e));
    expect(FakeEventSource.opened.map((s) => s.url)).toEqual(['/api/events?token=a%20b']);
    const source = FakeEventSource.opened[0]!;
    source.onmessage!({ data: JSON.stringify({ type: 'schedule', paused: true }) });
    source.onmessage!({ data: 'not json' });
    expect(seen).toEqual([[{ type: 'schedule', paused: true }], [{ type: 'schedule', paused: true }]]);
    off1();
    expect(source.closed).toBe(false);
    off2();
    expect(source.closed).toBe(true);
  });

  it('after the stream drops and comes back, delivers a fresh state', async () => {
    FakeEventSource.opened = [];
    const state = { configured: true } as AppState;
    const { fetch } = recordingFetch(() => json(200, { ok: true, result: state }));
    const bridge = createHttpBridge({ token: 't', fetch, openEvents: (u) => new FakeEventSource(u) });
    const seen: AppEvent[] = [];
    bridge.onEvent((e) => seen.push(e));
    const source = FakeEventSource.opened[0]!;
    source.onopen!();
    source.onerror!();
    source.onopen!();
    await expect.poll(() => seen).toEqual([{ type: 'state', state }]);
  });
});

describe('renderer access token', () => {
  function env(href: string, stored?: string) {
    const storage = new Map<string, string>(stored ? [['burrow.token', stored]] : []);
    const replaced: string[] = [];
    return {
      replaced,
      storage,
      env: {
        location: { href },
        sessionStorage: { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => void storage.set(k, v) },
        history: { state: null, replaceState: (_s: unknown, _t: string, url?: string | URL | null) => void replaced.push(String(url)) },
      },
    };
  }

  it('takes ?token= once, keeps it for the tab, and removes it from the address bar', () => {
    const e = env('http://127.0.0.1:7000/?token=abc&x=1#h');
    expect(takeAccessToken(e.env)).toBe('abc');
    expect(e.storage.get('burrow.token')).toBe('abc');
    expect(e.replaced).toEqual(['/?x=1#h']);
  });

  it('falls back to the stored token on a reload without the query', () => {
    const e = env('http://127.0.0.1:7000/', 'abc');
    expect(takeAccessToken(e.env)).toBe('abc');
    expect(e.replaced).toEqual([]);
    expect(takeAccessToken(env('http://127.0.0.1:7000/').env)).toBeUndefined();
  });
});
