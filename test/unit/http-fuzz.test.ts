/**
 * `burrow serve` against hostile clients, on 127.0.0.1 only and bounded in
 * count and time: the corpus of requests that once crashed it, then a
 * seeded fast-check sample of malformed request lines and targets, odd
 * methods, huge and broken headers, bodies of the wrong type and size, with
 * and without the token, then slow partial requests. Every request must
 * end in a response or a closed socket; afterwards the server still answers
 * and the schedule still fires. The corpus is also sent to a real
 * `burrow serve` process, which must still be running afterwards.
 */
import fc from 'fast-check';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock';
import { AppService } from '../../electron/engine/app/app-service';
import { JsonSettingsStore } from '../../electron/engine/app/settings-store';
import { freePort } from '../../electron/lab/lab';
import { waitFor } from '../../electron/lab/wait-for';
import { startHttpBridge, type RunningServer } from '../../electron/engine/web/http-bridge-server';
import { fillIn, rawExchange, type RawOutcome } from './http-raw';

const ROOT = join(import.meta.dirname, '..', '..');
const CORPUS = (JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'http-serve-corpus.json'), 'utf8')) as { cases: { why: string; raw: string }[] })
  .cases;
const HOST_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
const FUZZ_RUNS = 1500;
const BATCH = 30;

let dir: string;
let configPath: string;
let service: AppService;
let server: RunningServer;
const clock = new ManualClock('2026-11-23T12:29:00.000Z');
const serverLog: string[] = [];
const processErrors: unknown[] = [];
const onProcessError = (err: unknown) => processErrors.push(err);

beforeAll(async () => {
  process.on('uncaughtException', onProcessError).on('unhandledRejection', onProcessError);
  dir = mkdtempSync(join(tmpdir(), 'burrow-fuzz-'));
  const staticDir = join(dir, 'static');
  mkdirSync(join(staticDir, 'assets'), { recursive: true });
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Burrow</title>');
  writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1)\n'.repeat(1000));
  // A job whose source refuses connections: a fired slot becomes a failed run at once, with no lab.
  const closed = await freePort();
  const host = { hostname: '127.0.0.1', port: closed, user: 'nobody', hostKey: HOST_KEY };
  configPath = join(dir, 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      hosts: { src: host, dst: host },
      jobs: [{ name: 'j', source: 'src', paths: ['/srv/data'], holdingDir: '/var/holding', destination: { host: 'dst', path: '/backups' } }],
    }),
  );
  service = await AppService.open({
    configPath,
    stateDir: join(dir, 'state'),
    settings: new JsonSettingsStore(join(dir, 'ui.json')),
    shell: 'web',
    clock,
    schedule: false,
  });
  server = await startHttpBridge({
    service,
    staticDir,
    log: (m) => serverLog.push(m),
    timeouts: { headersMs: 1500, requestMs: 3000, checkIntervalMs: 250 },
  });
});

afterAll(async () => {
  process.off('uncaughtException', onProcessError).off('unhandledRejection', onProcessError);
  await server?.close();
  await service?.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

/** A normal request with the token still gets its answer. */
async function stillAnswers(): Promise<void> {
  const body = '{}';
  const r = await rawExchange(
    server.port,
    `POST /api/getState HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${server.token}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
  );
  expect(r.status, r.head).toBe(200);
}

/** Every exchange ended in a response or a close, and none hit the server's last-resort handler. */
function expectEnded(outcomes: { what: string; o: RawOutcome }[]): void {
  const hanging = outcomes.filter(({ o }) => o.timedOut).map(({ what }) => what);
  expect(hanging, 'requests that got neither a response nor a close').toEqual([]);
  const internal = outcomes.filter(({ o }) => o.status === 500 && /internal error/.test(o.head)).map(({ what }) => what);
  expect(internal).toEqual([]);
}

// --- what the fuzzer sends ------------------------------------------------

const methods = fc.oneof(
  fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE', 'CONNECT', 'PROPFIND', 'M-SEARCH', 'get', 'G\tET', ''),
  fc.stringMatching(/^[!-~]{1,12}$/),
);
const targets = fc.oneof(
  fc.constantFrom(
    '/',
    '//',
    '//a:99999/',
    '///',
    '/\\\\x',
    '*',
    'http://127.0.0.1/',
    '/api/events',
    '/api/getState',
    '/api/listKeys',
    '/api/../../../etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/%zz',
    '/%00',
    '/assets',
    '/assets/app.js',
    '/index.html?token=',
    '/api/events?token=%ZZ',
    `/?token=${'a'.repeat(9000)}`,
    '',
  ),
  fc.stringMatching(/^\/[!-~]{0,40}$/),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.constantFrom('api', 'events', '..', '.', '', '%2f', 'index.html', '\u00e9', '%00'), { maxLength: 5 }).map((s) => `/${s.join('/')}`),
);
const versions = fc.constantFrom('HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', 'HTTX/1.1', '');
type HeaderSpec = [string, string];
const headerBits = fc.oneof(
  fc.constantFrom<HeaderSpec[]>(
    [['Host', 'HOST']],
    [['Host', 'HOST']],
    [],
    [['Host', 'evil.example']],
    [
      ['Host', 'HOST'],
      ['Host', 'HOST'],
    ],
    [
      ['Host', 'HOST'],
      ['Origin', 'http://evil.example'],
    ],
    [
      ['Host', 'HOST'],
      ['Origin', 'null'],
    ],
  ),
);
const extraHeaders = fc.array(
  fc.oneof(
    fc.constantFrom<HeaderSpec>(
      ['Authorization', 'Bearer TOKEN'],
      ['Authorization', 'Bearer TOKEN'],
      ['Authorization', 'Bearer wrong'],
      ['Authorization', 'Basic TOKEN'],
      ['Content-Type', 'application/json'],
      ['Content-Type', 'application/json'],
      ['Content-Type', 'text/plain'],
      ['Content-Length', '-1'],
      ['Content-Length', 'abc'],
      ['Content-Length', '99999999999999999999'],
      ['Transfer-Encoding', 'chunked'],
      ['Transfer-Encoding', 'gzip, chunked'],
      ['Expect', '100-continue'],
      ['Connection', 'upgrade'],
      ['Upgrade', 'websocket'],
      ['X-Big', 'x'.repeat(20_000)],
      ['no colon here', ''],
      ['Bad Name', 'v'],
      ['X-Ctl', '\u0001\u0002'],
    ),
    fc.tuple(fc.stringMatching(/^[A-Za-z-]{1,20}$/), fc.string({ maxLength: 60 })),
  ),
  { maxLength: 6 },
);
const bodies = fc.oneof(
  fc.constant(''),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null'),
  fc.record({ job: fc.oneof(fc.string(), fc.integer()), extra: fc.anything() }).map((v) => JSON.stringify(v)),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constant('{"deep":'.repeat(2000)),
  fc.constant('['.repeat(50_000)),
  fc.constant(`"${'x'.repeat(1_100_000)}"`),
);
const endings = fc.constantFrom('complete', 'complete', 'complete', 'cut', 'wrong-length', 'many-headers');

type Shape = { method: string; target: string; version: string; headers: HeaderSpec[]; body: string; ending: string; cut: number };

function render({ method, target, version, headers: given, body, ending, cut }: Shape): { raw: string; what: string } {
  const headers = [...given];
  if (ending !== 'wrong-length' && !headers.some(([n]) => /^(content-length|transfer-encoding)$/i.test(n)))
    headers.push(['Content-Length', String(Buffer.byteLength(body))]);
  if (ending === 'wrong-length') headers.push(['Content-Length', String(Buffer.byteLength(body) + 1 + (cut % 100))]);
  if (ending === 'many-headers') for (let i = 0; i < 3000; i++) headers.push([`X-H${i}`, 'v']);
  const head = `${method} ${target}${version ? ` ${version}` : ''}\r\n${headers.map(([n, v]) => (v === '' ? n : `${n}: ${v}`)).join('\r\n')}\r\n\r\n`;
  const raw = head + body;
  return { raw: ending === 'cut' ? raw.slice(0, cut % (raw.length + 1)) : raw, what: `${method} ${target.slice(0, 60)} (${ending})` };
}

/** Requests the server reads to the end: API calls, mostly with the token, with bodies of every type. */
const apiCalls = fc.record({
  method: fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT'),
  target: fc
    .tuple(
      fc.constantFrom(
        'getState',
        'listRuns',
        'getRun',
        'getConfig',
        'listVerifications',
        'listKeys',
        'cancelRun',
        'events',
        'nosuch',
        '',
        '__proto__',
        'constructor',
        'toString',
      ),
      fc.constantFrom('', '', '?token=TOKEN', '?token=', '?x=%zz'),
    )
    .map(([name, query]) => `/api/${name}${query}`),
  version: fc.constant('HTTP/1.1'),
  headers: fc
    .tuple(
      fc.constantFrom<HeaderSpec[]>([['Authorization', 'Bearer TOKEN']], [['Authorization', 'Bearer TOKEN']], [['Authorization', 'Bearer x']], []),
      extraHeaders,
    )
    .map(([auth, extra]): HeaderSpec[] => [['Host', 'HOST'], ['Content-Type', 'application/json'], ...auth, ...extra.slice(0, 2)]),
  body: fc.oneof(fc.constantFrom('{}', '{"job":"j"}', '{"limit":3}', '{"id":"nope"}', '{"job":"j","limit":-1}'), bodies),
  ending: fc.constantFrom('complete', 'complete', 'complete', 'cut', 'wrong-length'),
  cut: fc.nat(),
});

/** Well-formed requests for the UI's files, with odd methods and targets. */
const frontDoor = fc.record({
  method: fc.constantFrom('GET', 'GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS', 'PROPFIND', 'TRACE'),
  target: targets,
  version: fc.constantFrom('HTTP/1.1', 'HTTP/1.0'),
  headers: fc.tuple(headerBits, extraHeaders).map(([a, b]) => [...a, ...b]),
  body: fc.constant(''),
  ending: fc.constantFrom('complete', 'complete', 'many-headers'),
  cut: fc.nat(),
});

/** Anything: broken request lines, versions, headers and bodies, cut anywhere. */
const wild = fc.record({
  method: methods,
  target: targets,
  version: versions,
  headers: fc.tuple(headerBits, extraHeaders).map(([a, b]) => [...a, ...b]),
  body: bodies,
  ending: endings,
  cut: fc.nat(),
});

const requests = fc
  .oneof({ arbitrary: apiCalls, weight: 4 }, { arbitrary: frontDoor, weight: 3 }, { arbitrary: wild, weight: 3 })
  .map((shape: Shape) => render(shape));

const fill = (raw: string) => raw.replaceAll('Host: HOST', `Host: 127.0.0.1:${server.port}`).replaceAll('TOKEN', server.token);

describe('burrow serve under hostile requests', () => {
  it('answers or closes on every request of the crash corpus, which includes // and //a:99999/', async () => {
    expect(CORPUS.map((c) => c.raw.split(' ')[1])).toEqual(expect.arrayContaining(['//', '//a:99999/']));
    const outcomes = [];
    for (const c of CORPUS) outcomes.push({ what: c.why, o: await rawExchange(server.port, fillIn(c.raw, server.port, server.token)) });
    expectEnded(outcomes);
    const bySlash = outcomes.slice(0, 2).map(({ o }) => o.status);
    expect(bySlash).toEqual([400, 400]);
    await stillAnswers();
  });

  it(`ends each of ${FUZZ_RUNS} generated requests in a response or a close, and still answers after every batch`, async () => {
    const sample = fc.sample(requests, { numRuns: FUZZ_RUNS, seed: 20261313 });
    const statuses = new Map<string, number>();
    for (let i = 0; i < sample.length; i += BATCH) {
      const batch = sample.slice(i, i + BATCH);
      const outcomes = await Promise.all(batch.map(async ({ raw, what }) => ({ what, o: await rawExchange(server.port, Buffer.from(fill(raw), 'latin1')) })));
      expectEnded(outcomes);
      for (const { o } of outcomes) statuses.set(String(o.status ?? 'closed'), (statuses.get(String(o.status ?? 'closed')) ?? 0) + 1);
      await stillAnswers();
    }
    // The sample reached the API with the token, not only the front door.
    expect(statuses.get('200') ?? 0).toBeGreaterThan(0);
    expect((statuses.get('400') ?? 0) + (statuses.get('401') ?? 0)).toBeGreaterThan(0);
    console.info(`http fuzz: ${FUZZ_RUNS} requests, outcomes ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
  }, 50_000);

  it('cuts off slow partial requests (slowloris) while answering others', async () => {
    const slow: Socket[] = [];
    for (let i = 0; i < 40; i++) {
      const s = connect({ host: '127.0.0.1', port: server.port });
      s.on('error', () => {});
      s.write(`GET /api/events?token=${server.token} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nX-Slow: `);
      slow.push(s);
    }
    const drip = setInterval(() => slow.forEach((s) => s.writable && s.write('a')), 100);
    try {
      await stillAnswers();
      await waitFor(() => slow.every((s) => s.closed || s.readableEnded), { timeoutMs: 10_000, what: 'the server closing every slow connection' });
    } finally {
      clearInterval(drip);
      slow.forEach((s) => s.destroy());
    }
    await stillAnswers();
  }, 20_000);

  it('afterwards: nothing escaped to the process, and the schedule still fires', async () => {
    expect(processErrors).toEqual([]);
    expect(serverLog.filter((l) => /internal error/.test(l))).toEqual([]);
    await stillAnswers();
    const engine = service.engine!;
    clock.set('2026-11-23T12:30:00.000Z');
    const record = await engine.scheduler.onSlot(engine.config.jobs[0]!, clock.now());
    expect(record).toMatchObject({ job: 'j', trigger: 'schedule', slot: '2026-11-23T12:30:00.000Z' });
    expect(engine.history.listRuns({ job: 'j' }).map((r) => r.slot)).toContain('2026-11-23T12:30:00.000Z');
  }, 30_000);

  it('a real `burrow serve` process gets the corpus and is still running and answering', async () => {
    const home = join(dir, 'serve-home');
    mkdirSync(home, { recursive: true });
    const child = spawn(process.execPath, [join(ROOT, 'electron', 'cli', 'burrow.mjs'), 'serve', '--config', configPath], {
      env: { ...process.env, XDG_CONFIG_HOME: join(home, 'config'), XDG_STATE_HOME: join(home, 'state') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    try {
      await waitFor(() => /Burrow is at (http:\S+)/.test(out) || child.exitCode !== null, { timeoutMs: 45_000, what: `burrow serve's URL:\n${out}` });
      const url = new URL(/Burrow is at (http:\S+)/.exec(out)![1]!);
      const port = Number(url.port);
      const token = url.searchParams.get('token')!;
      for (const c of CORPUS) {
        const o = await rawExchange(port, fillIn(c.raw, port, token));
        expect(o.timedOut, c.why).toBe(false);
      }
      const r = await rawExchange(
        port,
        `POST /api/getState HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`,
      );
      expect(r.status, out).toBe(200);
      expect(child.exitCode, out).toBeNull();
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }, 60_000);
});
