/**
 * Each alert channel against a real local server: nodemailer to an SMTP
 * server (STARTTLS and implicit TLS, a password login, a private CA), the
 * webhook presets and template, and ping URLs, to an HTTP server that
 * records what arrived. No protocol is mocked.
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig, type ChannelConfig } from '../../shared/config-schema';
import { CHANNEL_TYPES } from '../../shared/alerts-schema';
import { DEFAULT_NOTIFICATIONS, NoticePolicy, testNotice, type Notice } from '../../shared/notification-policy';
import { notifySendChannel } from '../../electron/engine/notify/desktop';
import type { Channel, Message } from '../../electron/engine/notify/channel';
import { CHANNEL_FACTORIES, channelsFromConfig } from '../../electron/engine/notify/registry';
import { makeTestCa, startHttpRecorder, startSmtp, type HttpRecorder, type TestCa, type TestSmtp } from '../fixtures/alert-servers';

const PASSWORD = 'correct horse battery staple';
let ca: TestCa;
let smtp: TestSmtp;
let smtps: TestSmtp;
let http: HttpRecorder;
let secrets: string;

beforeAll(async () => {
  ca = makeTestCa();
  smtp = await startSmtp(ca, { user: 'burrow', password: PASSWORD });
  smtps = await startSmtp(ca, { user: 'burrow', password: PASSWORD, implicitTls: true });
  http = await startHttpRecorder();
  secrets = mkdtempSync(join(tmpdir(), 'burrow-secrets-'));
});
afterAll(async () => {
  await smtp?.close();
  await smtps?.close();
  await http?.close();
  ca?.remove();
});

const HOSTS = { a: { hostname: 'a', user: 'u' }, b: { hostname: 'b', user: 'u' } };
const JOB = { name: 'cvs', source: 'a', paths: ['/srv/cvs'], holdingDir: '/srv/hold', destination: { host: 'b', path: '/backups' } };

/** One channel from config JSON, through the schema (so its defaults apply) and the registry. */
function channel(raw: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Channel {
  const r = validateConfig({ hosts: HOSTS, jobs: [JOB], alerts: { channels: [raw] } });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return channelsFromConfig(r.config, { env, hostname: 'testbox' })[0]!;
}

const failed: Notice = new NoticePolicy(() => new Date('2026-11-23T13:00:00Z')).decide({
  type: 'run-finished',
  run: {
    id: 'r42',
    job: 'cvs',
    trigger: 'schedule',
    status: 'failed',
    startedAt: '2026-11-23T12:30:00Z',
    stamp: '20261123',
    steps: [],
    error: { kind: 'port-in-use', message: 'port 9122 in use on test', step: 'tunnel' },
  },
})[0]!;
const notice = (n: Notice): Message => ({ kind: 'notice', notice: n });
const send = (c: Channel, m: Message) => c.send(m, AbortSignal.timeout(10_000));

describe('e-mail', () => {
  const base = (port: number, extra: Record<string, unknown> = {}) => ({
    type: 'email',
    name: 'mail',
    host: '127.0.0.1',
    port,
    user: 'burrow',
    passwordEnv: 'BURROW_SMTP_PASSWORD',
    caFile: ca.caFile,
    from: 'burrow@testbox',
    to: ['ops@example.com', 'me@example.com'],
    ...extra,
  });

  it('STARTTLS with a login: the failure arrives with its cause, over an encrypted connection', async () => {
    const c = channel(base(smtp.port), { BURROW_SMTP_PASSWORD: PASSWORD });
    expect(c.wants(notice(failed))).toBe(true);
    await send(c, notice(failed));
    const mail = smtp.mails.at(-1)!;
    expect(mail).toMatchObject({
      from: 'burrow@testbox',
      to: ['ops@example.com', 'me@example.com'],
      subject: '[Burrow] Backup failed: cvs',
      secure: true,
      user: 'burrow',
    });
    expect(mail.text).toContain('port 9122 in use on test');
    expect(mail.text).toContain('Run: r42');
    expect(mail.headers['x-burrow-kind']).toBe('failed');
  });

  it('implicit TLS, with the password from a private file', async () => {
    const file = join(secrets, 'smtp');
    writeFileSync(file, `${PASSWORD}\n`);
    chmodSync(file, 0o600);
    const c = channel({ ...base(smtps.port, { security: 'tls', passwordFile: file }), passwordEnv: undefined });
    await send(c, notice(testNotice(new Date())));
    expect(smtps.mails.at(-1)).toMatchObject({ subject: '[Burrow] Burrow: test notice', secure: true });
  });

  it('says what is wrong: no password variable, a file others can read, a wrong password, an untrusted certificate', async () => {
    await expect(send(channel(base(smtp.port)), notice(failed))).rejects.toThrow(
      'e-mail mail password: the environment variable BURROW_SMTP_PASSWORD is not set',
    );
    const open = join(secrets, 'open');
    writeFileSync(open, PASSWORD);
    chmodSync(open, 0o644);
    await expect(send(channel({ ...base(smtp.port, { passwordFile: open }), passwordEnv: undefined }), notice(failed))).rejects.toThrow(
      /can be read by others \(mode 644\); chmod 600 it/,
    );
    const refusedBefore = smtp.refused;
    const wrong = send(channel(base(smtp.port), { BURROW_SMTP_PASSWORD: 'wrong' }), notice(failed));
    await expect(wrong).rejects.toThrow(/^e-mail via 127\.0\.0\.1: .*(Invalid login|invalid login)/);
    await expect(wrong.catch((e: Error) => e.message)).resolves.not.toContain('wrong');
    expect(smtp.refused).toBe(refusedBefore + 1);
    const untrusted = send(channel({ ...base(smtp.port), caFile: undefined }, { BURROW_SMTP_PASSWORD: PASSWORD }), notice(failed));
    await expect(untrusted).rejects.toThrow(/certificate/i);
  });

  it('successes only when the channel asks for them; run starts are not for e-mail', () => {
    const ok = new NoticePolicy().decide({ type: 'run-finished', run: { ...failedRun(), status: 'succeeded' } });
    const c = channel(base(smtp.port));
    expect(c.wants(notice(ok.find((n) => n.kind === 'succeeded')!))).toBe(false);
    expect(channel(base(smtp.port, { notifySuccess: true })).wants(notice(ok[0]!))).toBe(true);
    expect(c.wants({ kind: 'run', phase: 'start', job: 'cvs', runId: 'r', at: '' })).toBe(false);
  });
});

function failedRun() {
  return { id: 'r1', job: 'cvs', trigger: 'schedule' as const, status: 'failed' as const, startedAt: '2026-11-23T12:30:00Z', stamp: '20261123', steps: [] };
}

describe('webhooks', () => {
  const last = () => {
    const r = http.requests.at(-1)!;
    return { ...r, json: JSON.parse(r.body) as Record<string, unknown> };
  };

  it('ntfy: JSON to the server root with the topic, priority and a bearer token', async () => {
    await send(
      channel({ type: 'webhook', name: 'phone', preset: 'ntfy', url: `${http.url}/burrow-alerts`, tokenEnv: 'NTFY_TOKEN' }, { NTFY_TOKEN: 'tk_1' }),
      notice(failed),
    );
    const r = last();
    expect(r.method).toBe('POST');
    expect(r.path).toBe('/');
    expect(r.headers.authorization).toBe('Bearer tk_1');
    expect(r.json).toEqual({ topic: 'burrow-alerts', title: 'Backup failed: cvs', message: 'port 9122 in use on test', priority: 5, tags: ['rotating_light'] });
  });

  it('Gotify: /message with the application token; Slack-compatible: text', async () => {
    await send(channel({ type: 'webhook', name: 'g', preset: 'gotify', url: `${http.url}/gotify/`, tokenEnv: 'GOTIFY' }, { GOTIFY: 'AppTok' }), notice(failed));
    expect(last()).toMatchObject({ path: '/gotify/message', json: { title: 'Backup failed: cvs', message: 'port 9122 in use on test', priority: 8 } });
    expect(last().headers['x-gotify-key']).toBe('AppTok');
    await send(channel({ type: 'webhook', name: 's', preset: 'slack', url: `${http.url}/services/T0/B0/xyz` }), notice(failed));
    expect(last()).toMatchObject({ path: '/services/T0/B0/xyz', json: { text: '*Backup failed: cvs*\nport 9122 in use on test' } });
  });

  it('json: the default body, or a template with placeholders for other shapes', async () => {
    await send(channel({ type: 'webhook', name: 'j', url: `${http.url}/hook` }), notice(failed));
    expect(last().json).toMatchObject({
      kind: 'failed',
      job: 'cvs',
      title: 'Backup failed: cvs',
      body: 'port 9122 in use on test',
      runId: 'r42',
      host: 'testbox',
    });
    const template = { msgtype: 'm.text', content: { body: '{{title}}: {{body}}', tags: ['{{kind}}', 'job={{job}}'] }, n: 3 };
    await send(channel({ type: 'webhook', name: 't', url: `${http.url}/matrix`, template }), notice(failed));
    expect(last().json).toEqual({ msgtype: 'm.text', content: { body: 'Backup failed: cvs: port 9122 in use on test', tags: ['failed', 'job=cvs'] }, n: 3 });
  });

  it('an error status is a failure that names the host and status, never the path', async () => {
    http.status = 503;
    try {
      const err = await send(channel({ type: 'webhook', name: 's', preset: 'slack', url: `${http.url}/services/SECRET` }), notice(failed)).catch(
        (e: Error) => e,
      );
      expect((err as Error).message).toBe(`webhook s to 127.0.0.1:${http.port}: HTTP 503: down for maintenance`);
    } finally {
      http.status = 200;
    }
  });
});

describe('ping URLs', () => {
  it('start, success and fail with the cause go to URL/start, URL and URL/fail; a test to URL/log; other jobs are not its business', async () => {
    const c = channel({ type: 'ping', name: 'hc', jobs: { cvs: `${http.url}/ping/abc-123?create=1` } });
    const before = http.requests.length;
    const run = (phase: 'start' | 'success' | 'fail', cause?: string): Message => ({
      kind: 'run',
      phase,
      job: 'cvs',
      runId: 'r7',
      at: '',
      ...(cause ? { cause } : {}),
    });
    expect(c.wants({ kind: 'run', phase: 'start', job: 'other', runId: 'r', at: '' })).toBe(false);
    expect(c.wants(notice(failed))).toBe(false);
    for (const m of [run('start'), run('success'), run('fail', 'tunnel: port 9122 in use on test'), notice(testNotice(new Date()))]) await send(c, m);
    expect(http.requests.slice(before).map((r) => [r.method, r.path, r.body])).toEqual([
      ['POST', '/ping/abc-123/start?create=1', 'run r7 started'],
      ['POST', '/ping/abc-123?create=1', 'run r7 succeeded'],
      ['POST', '/ping/abc-123/fail?create=1', 'tunnel: port 9122 in use on test'],
      ['POST', '/ping/abc-123/log?create=1', testNotice(new Date()).body],
    ]);
  });
});

describe('the desktop without Electron: notify-send', () => {
  /** A notify-send on the PATH that writes its arguments to a file and exits with `code`. */
  function fakeNotifySend(code: number): { dir: string; args: () => string[] } {
    const dir = mkdtempSync(join(tmpdir(), 'burrow-notify-'));
    writeFileSync(join(dir, 'notify-send'), `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > "${dir}/args"\nexit ${code}\n`);
    chmodSync(join(dir, 'notify-send'), 0o755);
    return { dir, args: () => readFileSync(join(dir, 'args'), 'utf8').trimEnd().split('\n') };
  }
  const withPath = async (dir: string, fn: () => Promise<void>) => {
    const old = process.env.PATH;
    process.env.PATH = `${dir}:${old}`;
    try {
      await fn();
    } finally {
      process.env.PATH = old;
    }
  };

  it('calls notify-send with the urgency, title and body (a title starting with "-" stays an argument)', async () => {
    const fake = fakeNotifySend(0);
    await withPath(fake.dir, async () => {
      const logs: string[] = [];
      const c = notifySendChannel({ settings: () => DEFAULT_NOTIFICATIONS, log: (l) => logs.push(l) });
      await send(c, notice({ ...failed, title: '-v' }));
      expect(fake.args()).toEqual(['--app-name=Burrow', '--urgency=critical', '--', '-v', 'port 9122 in use on test']);
      expect(logs).toEqual([]);
    });
  });

  it('when notify-send fails (no session on a server), the notice goes to the log and the channel is not failing', async () => {
    const fake = fakeNotifySend(1);
    await withPath(fake.dir, async () => {
      const logs: string[] = [];
      const c = notifySendChannel({ settings: () => DEFAULT_NOTIFICATIONS, log: (l) => logs.push(l) });
      await send(c, notice(failed));
      expect(logs).toEqual(['notice: Backup failed: cvs: port 9122 in use on test (notify-send exited with 1)']);
    });
  });

  it('quiet: no notice but a test; successes only when asked', () => {
    const quiet = notifySendChannel({ settings: () => ({ quiet: true, notifySuccess: true }), log: () => {}, notifySend: false });
    expect(quiet.wants(notice(failed))).toBe(false);
    expect(quiet.wants(notice(testNotice(new Date())))).toBe(true);
  });
});

it('every channel type of the schema has a factory and a place in the Settings list; the compiler checks both', () => {
  const types: ChannelConfig['type'][] = ['email', 'webhook', 'ping'];
  expect(Object.keys(CHANNEL_FACTORIES).sort()).toEqual([...types].sort());
  expect([...CHANNEL_TYPES].sort()).toEqual([...types].sort());
  // @ts-expect-error a registry without one of the schema's types does not compile
  const partial: typeof CHANNEL_FACTORIES = { email: CHANNEL_FACTORIES.email, webhook: CHANNEL_FACTORIES.webhook };
  // @ts-expect-error a channel without send() does not compile
  const incomplete: Channel = { name: 'x', type: 'webhook', wants: () => true };
  expect([partial, incomplete]).toHaveLength(2);
});
