/**
 * `burrow serve`'s HTTP bridge: the token, the Origin and Host checks, and
 * payload validation against the contract, on a service with no config yet.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppService } from '../../electron/engine/app/app-service';
import { JsonSettingsStore } from '../../electron/engine/app/settings-store';
import { waitFor } from '../../electron/lab/wait-for';
import { MAX_EVENT_STREAMS, startHttpBridge, type RunningServer } from '../../electron/engine/web/http-bridge-server';

let server: RunningServer;
let service: AppService;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'burrow-serve-'));
  const staticDir = join(dir, 'static');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Burrow</title>');
  writeFileSync(join(dir, 'secret.txt'), 'outside the static dir');
  service = await AppService.open({
    configPath: join(dir, 'config.json'),
    stateDir: join(dir, 'state'),
    settings: new JsonSettingsStore(join(dir, 'ui.json')),
    shell: 'web',
    schedule: false,
  });
  server = await startHttpBridge({ service, staticDir });
});
afterAll(async () => {
  await server?.close();
  await service?.shutdown();
});

function call(
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method: opts.method ?? 'GET', headers: opts.headers ?? {} }, (res) => {
      let body = '';
      res.on('data', (b: Buffer) => (body += b.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const json = { 'Content-Type': 'application/json' };
const auth = () => ({ ...json, Authorization: `Bearer ${server.token}` });

describe('burrow serve', () => {
  it('listens on 127.0.0.1 and prints a URL carrying a long random token', () => {
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=[A-Za-z0-9_-]{32}$`));
  });

  it('answers a request with the token', async () => {
    const r = await call('/api/getState', { method: 'POST', headers: auth(), body: '{}' });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ ok: true, value: { configured: false, shell: 'web' } });
  });

  it('rejects a request without the token, or with a wrong one', async () => {
    expect((await call('/api/getState', { method: 'POST', headers: json, body: '{}' })).status).toBe(401);
    expect((await call('/api/getState', { method: 'POST', headers: { ...json, Authorization: 'Bearer nope' }, body: '{}' })).status).toBe(401);
    expect((await call('/api/events')).status).toBe(401);
  });

  it('rejects a foreign Origin and a foreign Host even with the token', async () => {
    const foreign = await call('/api/getState', { method: 'POST', headers: { ...auth(), Origin: 'http://evil.example' }, body: '{}' });
    expect(foreign.status).toBe(403);
    const rebinding = await call('/api/getState', { method: 'POST', headers: { ...auth(), Host: `evil.example:${server.port}` }, body: '{}' });
    expect(rebinding.status).toBe(403);
    const own = await call('/api/getState', { method: 'POST', headers: { ...auth(), Origin: `http://127.0.0.1:${server.port}` }, body: '{}' });
    expect(own.status).toBe(200);
  });

  it('validates payloads against the contract and names the bad field', async () => {
    // A refused request is an answer (200, ok: false), so a browser's console stays clean; its fields are named.
    const bad = await call('/api/runNow', { method: 'POST', headers: auth(), body: JSON.stringify({ job: 42 }) });
    expect(bad.status).toBe(200);
    expect(JSON.parse(bad.body)).toMatchObject({ ok: false, error: { kind: 'bad-request', problems: [{ path: 'job' }] } });
    expect(JSON.parse(bad.body).error.message).toContain('bad arguments for runNow: job');
    const unknown = await call('/api/nosuch', { method: 'POST', headers: auth(), body: '{}' });
    expect(JSON.parse(unknown.body)).toMatchObject({ ok: false, error: { kind: 'bad-request', message: 'unknown request "nosuch"' } });
    expect((await call('/api/getState', { method: 'POST', headers: auth(), body: '{not json' })).status).toBe(400);
    expect((await call('/api/getState', { method: 'POST', headers: { ...auth(), 'Content-Type': 'text/plain' }, body: '{}' })).status).toBe(415);
  });

  it('serves the UI with a CSP, and nothing outside it', async () => {
    const page = await call('/');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect((await call('/../secret.txt')).status).not.toBe(200);
    expect((await call('/%2e%2e/secret.txt')).status).not.toBe(200);
  });

  it('saves a config only when the schema accepts it', async () => {
    const bad = await call('/api/saveConfig', {
      method: 'POST',
      headers: auth(),
      body: JSON.stringify({ document: { hosts: { a: { hostname: 'h', user: 'u', port: 0 } } } }),
    });
    expect(JSON.parse(bad.body)).toMatchObject({ ok: false, error: { kind: 'config', problems: [{ path: 'hosts.a.port', value: '0' }] } });
    const state = await call('/api/getState', { method: 'POST', headers: auth(), body: '{}' });
    expect(JSON.parse(state.body).value.configured).toBe(false);
  });

  it(`caps event streams per token at ${MAX_EVENT_STREAMS}, with a clear 429 beyond, and frees a place when one closes`, async () => {
    const open = (): Promise<{ req: ClientRequest; res: IncomingMessage }> =>
      new Promise((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: server.port, path: '/api/events', headers: { Authorization: `Bearer ${server.token}` } }, (res) =>
          resolve({ req, res }),
        );
        req.on('error', reject);
        req.end();
      });
    const streams = [];
    try {
      for (let i = 0; i < MAX_EVENT_STREAMS; i++) streams.push(await open());
      expect(streams.map((s) => s.res.statusCode)).toEqual(Array(MAX_EVENT_STREAMS).fill(200));
      const over = await call('/api/events', { headers: { Authorization: `Bearer ${server.token}` } });
      expect(over.status).toBe(429);
      expect(JSON.parse(over.body).error.message).toMatch(/too many open event streams for this token \(8\)/);
      streams.shift()!.req.destroy();
      let again: { req: ClientRequest; res: IncomingMessage } | undefined;
      await waitFor(
        async () => {
          again?.req.destroy();
          again = await open();
          return again.res.statusCode === 200;
        },
        { timeoutMs: 5000, what: 'a place for a new event stream' },
      );
      streams.push(again!);
    } finally {
      for (const s of streams) s.req.destroy();
    }
  });

  it('refuses request targets that do not start with a single slash, before parsing them', async () => {
    for (const target of ['//', '//a:99999/', '/\\evil.example/']) {
      const r = await call(target);
      expect(r.status, target).toBe(400);
      expect(JSON.parse(r.body).error.message).toMatch(/single "\/"/);
    }
    expect((await call('/')).status).toBe(200);
  });
});
