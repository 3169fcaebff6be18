/**
 * `burrow serve` notifies like `burrow daemon`: the same days replayed on an
 * injected clock through each one's own wiring (AppService, which serve and
 * the tray app share, and openDaemon), with a recording desktop channel,
 * raise the same missed, failed and stale notices. The runs fail for real:
 * nothing listens on the hosts' port.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock';
import { validateConfig, type BurrowConfig } from '../../shared/config-schema';
import type { Engine } from '../../electron/engine/engine';
import type { Message } from '../../electron/engine/notify/channel';
import { AppService } from '../../electron/engine/app/app-service';
import { JsonSettingsStore } from '../../electron/engine/app/settings-store';
import { openDaemon } from '../../electron/cli/commands/daemon';
import { freePort } from '../fixtures/alert-servers';
import { recordingChannel } from '../fixtures/recording-channel';

/** November 2026: the 23rd is a Monday. */
const at = (day: number, h: number, m = 0) => new Date(2026, 10, day, h, m);

let document: Record<string, unknown>;
let config: BurrowConfig;
beforeAll(async () => {
  const port = await freePort();
  const identityFile = join(mkdtempSync(join(tmpdir(), 'burrow-key-')), 'id');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', identityFile]);
  const host = { hostname: '127.0.0.1', port, user: 'nobody', identityFile };
  document = {
    hosts: { src: host, dst: host },
    jobs: [{ name: 'daily', source: 'src', paths: ['/srv/data'], holdingDir: '/srv/hold', destination: { host: 'dst', path: '/backups' } }],
  };
  const r = validateConfig(document);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  config = r.config;
});

interface Wired {
  engine: Engine;
  idle(): Promise<void>;
  stop(): Promise<void>;
}
type Wiring = (clock: ManualClock, desktop: ReturnType<typeof recordingChannel>) => Promise<Wired>;

/** The daemon's wiring, in a state dir of its own. */
function daemon(): Wiring {
  const stateDir = mkdtempSync(join(tmpdir(), 'burrow-daemon-'));
  return async (clock, desktop) => {
    const { engine, notifier } = await openDaemon({ config, stateDir, clock, desktop, log: () => {}, arm: false });
    return { engine, idle: () => notifier.idle(), stop: () => engine.shutdown() };
  };
}

/** serve's (and the tray app's) wiring: AppService on a config file. */
function serve(): Wiring {
  const dir = mkdtempSync(join(tmpdir(), 'burrow-serve-'));
  const configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify(document));
  return async (clock, desktop) => {
    const service = await AppService.open({
      configPath,
      stateDir: join(dir, 'state'),
      settings: new JsonSettingsStore(join(dir, 'ui-settings.json')),
      shell: 'web',
      schedule: false,
      clock,
      desktop,
    });
    return { engine: service.engine!, idle: () => service.alerts.idle(), stop: () => service.shutdown() };
  };
}

const said = (sent: Message[]) => sent.flatMap((m) => (m.kind === 'notice' ? [`${m.notice.kind} | ${m.notice.title} | ${m.notice.body}`] : []));
const noticesOnly = () => recordingChannel('desktop', (m) => m.kind === 'notice');

/** Alive Monday 10:00-11:00, off until Thursday 09:00; then a failed scheduled run at 12:30 and a failed Run now. */
async function week(wiring: Wiring): Promise<string[]> {
  const desktop = noticesOnly();
  const clock = new ManualClock(at(23, 10));
  const monday = await wiring(clock, desktop);
  clock.advance(60 * 60_000);
  await monday.engine.scheduler.tick();
  await monday.stop();
  clock.set(at(26, 9));
  const thursday = await wiring(clock, desktop);
  clock.set(at(26, 12, 30));
  await thursday.engine.scheduler.onSlot(config.jobs[0]!, at(26, 12, 30));
  await thursday.engine.runNow('daily');
  await thursday.idle();
  await thursday.stop();
  return said(desktop.sent);
}

/** Paused for two days without a success: stale, and nothing else. */
async function pausedTwoDays(wiring: Wiring): Promise<string[]> {
  const desktop = noticesOnly();
  const clock = new ManualClock(at(23, 13));
  const w = await wiring(clock, desktop);
  await w.engine.scheduler.setPaused(true);
  clock.advance(49 * 3_600_000);
  await w.engine.scheduler.tick();
  await w.idle();
  await w.stop();
  return said(desktop.sent);
}

describe('serve and the daemon tell the same', () => {
  it('missed (one notice for the wake-up), failed with the cause', async () => {
    const fromDaemon = await week(daemon());
    expect(fromDaemon.map((l) => l.split(' | ').slice(0, 2).join(' | '))).toEqual([
      'missed | 3 backups missed: daily',
      'failed | Backup failed: daily',
      'failed | Backup failed: daily',
    ]);
    expect(fromDaemon[0]).toMatch(/\(the laptop was off\), Mon 23 Nov 12:30 – Wed 25 Nov 12:30; catching up now\.$/);
    expect(fromDaemon[1]).toMatch(/ECONNREFUSED|refused/i);
    expect(await week(serve())).toEqual(fromDaemon);
  });

  it('stale', async () => {
    const fromDaemon = await pausedTwoDays(daemon());
    expect(fromDaemon).toEqual(['stale | Backups are stale: daily | There has been no successful backup yet.']);
    expect(await pausedTwoDays(serve())).toEqual(fromDaemon);
  });
});
