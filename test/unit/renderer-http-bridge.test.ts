import { describe, expect, it } from 'vitest';
import { REQUEST_NAMES, type AppEvent, type AppState } from '../../shared/api-contract';
import { takeAccessToken } from '../../renderer/src/bridge/access-token';
import { BridgeError, createHttpBridge, encodeRequest, type EventSourceLike } from '../../renderer/src/bridge/http-bridge';
import { errorConfigProblems, errorMessage, errorProblems, fieldOfError } from '../../renderer/src/lib/errors';

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
    const { calls, fetch } = recordingFetch(() => json(200, { ok: true, value: { started: true } }));
    const bridge = createHttpBridge({ token: 't', fetch });
    for (const name of REQUEST_NAMES) expect(typeof bridge[name]).toBe('function');
    await expect(bridge.runNow({ job: 'cvs' })).resolves.toEqual({ started: true });
    await bridge.listRuns({ limit: 200 });
    expect(calls.map((c) => c.url)).toEqual(['/api/runNow', '/api/listRuns']);
    expect(calls[1]!.init.body).toBe('{"limit":200}');
  });

  it('turns an error reply into a BridgeError carrying its kind, message and problems by field path', async () => {
    const problems = [{ path: 'jobs[0].schedule', message: 'must be a 5-field cron expression', value: '"61 12 * * *"' }];
    const { fetch } = recordingFetch(() =>
      json(200, { ok: false, error: { kind: 'config', message: 'the config has 1 problem; nothing was saved', problems } }),
    );
    const bridge = createHttpBridge({ token: 't', fetch });
    const err = await bridge.saveConfig({ document: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BridgeError);
    expect((err as BridgeError).kind).toBe('config');
    expect(errorMessage(err)).toBe('the config has 1 problem; nothing was saved');
    expect(errorProblems(err)).toEqual(problems);
    expect(errorConfigProblems(err)).toEqual([{ field: 'jobs[0].schedule', message: 'must be a 5-field cron expression', value: '"61 12 * * *"' }]);
    expect(fieldOfError(err, ['jobs[0].schedule'])).toEqual({ field: 'jobs[0].schedule', message: 'must be a 5-field cron expression' });
  });

  it('says what the server answered when it is not a reply at all', async () => {
    const { fetch } = recordingFetch(() => new Response('<html>proxy error</html>', { status: 502, statusText: 'Bad Gateway' }));
    const err = await createHttpBridge({ token: 't', fetch })
      .getState({})
      .catch((e: unknown) => e);
    expect((err as BridgeError).kind).toBe('transport');
    expect(errorMessage(err)).toContain('502 Bad Gateway');
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
