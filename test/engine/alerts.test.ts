/**
 * Alerts end to end, through the daemon's own wiring (openDaemon) against
 * the lab, with real local servers: an SMTP server (STARTTLS, a login)
 * receives the missed and failed mails with their cause, an HTTP server the
 * ntfy bodies and the healthchecks-style start/success/fail pings in order,
 * and a channel whose server is down is retried and reported while the run
 * itself succeeds. Time is a ManualClock; waits are for conditions.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock';
import { openDaemon } from '../../electron/cli/commands/daemon';
import { makeTestCa, freePort, startHttpRecorder, startSmtp, type HttpRecorder, type TestCa, type TestSmtp } from '../fixtures/alert-servers';
import { recordingChannel } from '../fixtures/recording-channel';
import { labConfig } from './fixtures';
import { resetLab, useLab } from './lab-fixture';

const PASSWORD = 'a long smtp password';
/** November 2026: the 23rd is a Monday. */
const at = (day: number, h: number, m = 0) => new Date(2026, 10, day, h, m);

const f = useLab();
let ca: TestCa;
let smtp: TestSmtp;
let http: HttpRecorder;
let state: string;

beforeAll(async () => {
  ca = makeTestCa();
  smtp = await startSmtp(ca, { user: 'burrow', password: PASSWORD });
  http = await startHttpRecorder();
  process.env.BURROW_TEST_SMTP_PASSWORD = PASSWORD;
});
afterAll(async () => {
  delete process.env.BURROW_TEST_SMTP_PASSWORD;
  await smtp?.close();
  await http?.close();
  ca?.remove();
});
beforeEach(async () => {
  await resetLab(f);
  state = join(f.lab.dir, `state-${Math.random().toString(16).slice(2)}`);
  smtp.mails.length = 0;
  http.requests.length = 0;
});

const mailChannel = () => ({
  type: 'email',
  name: 'mail',
  host: '127.0.0.1',
  port: smtp.port,
  user: 'burrow',
  passwordEnv: 'BURROW_TEST_SMTP_PASSWORD',
  caFile: ca.caFile,
  from: 'burrow@laptop',
  to: ['ops@example.com'],
});

async function daemon(clock: ManualClock, channels: object[]) {
  const logs: string[] = [];
  const desktop = recordingChannel('desktop');
  const config = labConfig(f.lab, {}, { alerts: { channels } });
  const d = await openDaemon({ config, stateDir: state, clock, desktop, log: (l) => logs.push(l), arm: false });
  return { ...d, desktop, logs };
}

const pings = () => http.requests.filter((r) => r.path.startsWith('/hc/')).map((r) => [r.path, r.body]);
const ntfy = () => http.requests.filter((r) => r.path === '/').map((r) => JSON.parse(r.body) as { title: string; message: string });

describe('alerts from the daemon', () => {
  it('a week away: one mail and one ntfy push naming the count and range, then the catch-up outcome; pings start then success', async () => {
    const clock = new ManualClock(at(23, 10));
    const first = await daemon(clock, []);
    clock.advance(60 * 60_000);
    await first.engine.scheduler.tick(); // alive until 11:00, then the laptop goes off
    await first.engine.shutdown();

    clock.set(at(30, 9));
    const channels = [
      mailChannel(),
      { type: 'webhook', name: 'phone', preset: 'ntfy', url: `${http.url}/burrow` },
      { type: 'ping', name: 'hc', jobs: { daily: `${http.url}/hc/uuid-1` } },
    ];
    const { engine, notifier, desktop } = await daemon(clock, channels);
    await notifier.idle();
    expect(smtp.mails.map((m) => m.subject)).toEqual(['[Burrow] 7 backups missed: daily']);
    expect(smtp.mails[0]!.text).toMatch(/^7 backups missed \(the laptop was off\), Mon 23 Nov 12:30 – Sun 29 Nov 12:30; catching up now\./);
    expect(smtp.mails[0]).toMatchObject({ to: ['ops@example.com'], secure: true, user: 'burrow' });
    expect(ntfy().map((n) => n.title)).toEqual(['7 backups missed: daily']);
    expect(desktop.sent).toHaveLength(1);

    await engine.scheduler.tick(); // the catch-up run
    await notifier.idle();
    const [run] = engine.history.listRuns({ job: 'daily' });
    expect(run).toMatchObject({ trigger: 'catch-up', status: 'succeeded' });
    expect(smtp.mails.map((m) => m.subject)).toEqual(['[Burrow] 7 backups missed: daily', '[Burrow] Caught up: daily']);
    expect(smtp.mails[1]!.text).toContain(`Run ${run!.id} covers 7 missed backups (Mon 23 Nov 12:30 – Sun 29 Nov 12:30).`);
    expect(ntfy().map((n) => n.title)).toEqual(['7 backups missed: daily', 'Caught up: daily']);
    expect(pings()).toEqual([
      ['/hc/uuid-1/start', `run ${run!.id} started`],
      ['/hc/uuid-1', `run ${run!.id} succeeded`],
    ]);
    await engine.shutdown();
  });

  it('a failed run: a mail with its cause, and /fail with the cause after /start', async () => {
    const clock = new ManualClock(at(23, 13));
    const { engine, notifier } = await daemon(clock, [mailChannel(), { type: 'ping', name: 'hc', jobs: { daily: `${http.url}/hc/uuid-2` } }]);
    await f.lab.destination.kill();
    const record = await engine.runNow('daily');
    await notifier.idle();
    expect(record.status).toBe('failed');
    const cause = record.error!.message;
    expect(smtp.mails.map((m) => m.subject)).toEqual(['[Burrow] Backup failed: daily']);
    expect(smtp.mails[0]!.text).toContain(cause);
    expect(smtp.mails[0]!.text).toContain(`Run: ${record.id}`);
    expect(pings()).toEqual([
      ['/hc/uuid-2/start', `run ${record.id} started`],
      ['/hc/uuid-2/fail', `${record.error!.step}: ${cause}`],
    ]);
    await engine.shutdown();
  });

  it('a channel whose server is down: the run succeeds, the channel is reported failing, and it is retried until the server is back', async () => {
    const clock = new ManualClock(at(23, 13));
    const port = await freePort();
    const down = `http://127.0.0.1:${port}`;
    const { engine, notifier, logs } = await daemon(clock, [
      { type: 'webhook', name: 'chat', preset: 'slack', url: `${down}/hooks/x`, notifySuccess: true },
      { type: 'ping', name: 'hc', jobs: { daily: `${down}/hc/uuid-3` } },
      mailChannel(),
    ]);
    const record = await engine.runNow('daily');
    expect(record.status).toBe('succeeded');
    await notifier.idle();
    const status = Object.fromEntries(notifier.status().map((s) => [s.name, s]));
    expect(status.chat).toMatchObject({ state: 'failing', pending: 1, lastError: `webhook chat to 127.0.0.1:${port}: ECONNREFUSED` });
    expect(status.hc).toMatchObject({ state: 'failing', pending: 2 });
    expect(status.hc!.nextRetryAt).toBe(new Date(at(23, 13).getTime() + 30_000).toISOString());
    expect(status.mail).toMatchObject({ state: 'idle', pending: 0 }); // success is not for this mail channel
    expect(logs.some((l) => l.includes(`alert channel chat: webhook chat to 127.0.0.1:${port}: ECONNREFUSED; next try at`))).toBe(true);
    expect(engine.status()[0]).toMatchObject({ lastRun: { status: 'succeeded' } });

    // Still down at the first retry; up before the second.
    clock.advance(30_000);
    await notifier.tick();
    expect(notifier.status().find((s) => s.name === 'hc')).toMatchObject({ state: 'failing', pending: 2 });
    const back = await startHttpRecorder(port);
    try {
      clock.advance(60_000);
      await notifier.tick();
      expect(notifier.status().map((s) => [s.name, s.state, s.pending])).toEqual([
        ['desktop', 'ok', 0],
        ['chat', 'ok', 0],
        ['hc', 'ok', 0],
        ['mail', 'idle', 0],
      ]);
      // Each channel in its own order (channels do not wait for each other).
      expect(back.requests.filter((r) => r.path.startsWith('/hc/')).map((r) => r.path)).toEqual(['/hc/uuid-3/start', '/hc/uuid-3']);
      const hooks = back.requests.filter((r) => r.path === '/hooks/x');
      expect(hooks.map((r) => JSON.parse(r.body) as unknown)).toEqual([{ text: expect.stringMatching(/^\*Backup done: daily\*\n/) }]);
    } finally {
      await back.close();
    }
    await engine.shutdown();
  });
});
