/**
 * `burrow check` names the failing hop, and the `burrow` command line runs,
 * checks and pins host keys against the lab.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BurrowConfig } from '../../shared/config-schema';
import { checkJob, type HopResult } from '../../electron/engine/check';
import { startLab, type Lab } from '../../electron/lab/lab';
import { labConfig, writeSampleTree } from './fixtures';

const execFileAsync = promisify(execFile);
/** The CLI with its state (history, locks) in the lab, not in the real home. */
const run = (cmd: string, args: string[]) => execFileAsync(cmd, args, { env: { ...process.env, XDG_STATE_HOME: join(lab.dir, 'state') } });
const BURROW = join(import.meta.dirname, '..', '..', 'electron', 'cli', 'burrow.mjs');

let lab: Lab;
let backups: string;

beforeAll(async () => {
  lab = await startLab();
  backups = join(lab.destination.home, 'backups');
  writeSampleTree(join(lab.source.home, 'data', 'projects'), 1);
  await lab.source.own(join(lab.source.home, 'data'));
});
afterAll(() => lab?.stop());
beforeEach(async () => {
  await lab.source.start();
  await lab.destination.start();
  mkdirSync(backups, { recursive: true });
  chmodSync(backups, 0o755);
  await lab.destination.own(backups);
});

async function check(config: BurrowConfig): Promise<Record<string, HopResult>> {
  const results = await checkJob({ config, job: config.jobs[0]! });
  return Object.fromEntries(results.map((r) => [r.hop, r]));
}

function failing(results: Record<string, HopResult>): string[] {
  return Object.values(results)
    .filter((r) => r.status === 'fail')
    .map((r) => r.hop);
}

describe('burrow check', () => {
  it('passes every hop on a healthy lab, each with a command to paste', async () => {
    const r = await check(labConfig(lab));
    expect(Object.values(r).map((h) => `${h.hop}:${h.status}`)).toEqual([
      'laptop -> source:pass',
      'source gate:pass',
      'laptop -> destination:pass',
      'forward bind on source:pass',
      'source -> destination through the tunnel:pass',
      'destination path writable:pass',
      'rsync on source:pass',
      'rsync on destination:pass',
    ]);
    expect(r['rsync on source']!.cause).toMatch(/rsync\s+version/);
    for (const h of Object.values(r)) expect(h.command).toMatch(/^ssh /);
  });

  it('names the source when it is down', async () => {
    await lab.source.kill();
    const r = await check(labConfig(lab));
    expect(failing(r)).toEqual(['laptop -> source']);
    expect(r['laptop -> source']!.cause).toContain('connection refused');
    expect(r['source gate']!.status).toBe('skipped');
    expect(r['forward bind on source']!.status).toBe('skipped');
  });

  it('names the destination when it is down', async () => {
    await lab.destination.kill();
    const r = await check(labConfig(lab, {}, {}));
    expect(failing(r)).toContain('laptop -> destination');
    expect(failing(r)).not.toContain('laptop -> source');
    expect(r['laptop -> destination']!.cause).toContain('destination');
  });

  it('names the port when it is taken', async () => {
    const release = await lab.source.occupyPort(9122);
    try {
      const r = await check(labConfig(lab, { tunnelPort: 9122 }));
      expect(failing(r)).toEqual(['forward bind on source']);
      expect(r['forward bind on source']!.cause).toContain('port 9122 in use on source');
    } finally {
      await release();
    }
  });

  it('names the destination path when it is not writable', async () => {
    chmodSync(backups, 0o555);
    const r = await check(labConfig(lab));
    expect(failing(r)).toEqual(['destination path writable']);
    expect(r['destination path writable']!.cause).toContain('is not writable');
  });
});

describe('the burrow command', () => {
  function writeConfig(config: object): string {
    const path = join(lab.dir, `config-${Math.random().toString(16).slice(2)}.json`);
    writeFileSync(path, JSON.stringify(config, null, 2));
    return path;
  }

  it('runs a backup and prints the run record with --json', async () => {
    rmSync(join(lab.source.home, 'holding'), { recursive: true, force: true });
    const path = writeConfig(labConfig(lab));
    const { stdout, stderr } = await run('node', [BURROW, 'run', '--config', path, '--json']);
    const record = JSON.parse(stdout);
    expect(record.status).toBe('succeeded');
    expect(record.steps.map((s: { name: string }) => s.name)).toEqual([
      'connect',
      'clean-up',
      'pack',
      'prune',
      'guard',
      'tunnel',
      'transfer',
      'verify',
      'prune-destination',
      'teardown',
    ]);
    expect(stderr).toContain('✓ transfer');
  });

  it('refuses an invalid config with exit 2, naming the field and value', async () => {
    const config = labConfig(lab) as unknown as { jobs: { tunnelPort: number }[] };
    config.jobs[0]!.tunnelPort = 22;
    const path = writeConfig(config);
    const err = await run('node', [BURROW, 'run', '--config', path]).then(
      () => undefined,
      (e) => e,
    );
    expect(err.code).toBe(2);
    expect(err.stderr).toContain('jobs[0].tunnelPort = 22');
  });

  it('exits 1 with a one-line cause when the run fails', async () => {
    await lab.destination.kill();
    const path = writeConfig(labConfig(lab));
    const err = await run('node', [BURROW, 'run', '--config', path]).then(
      () => undefined,
      (e) => e,
    );
    expect(err.code).toBe(1);
    const last = err.stderr.trim().split('\n').pop();
    expect(last).toMatch(/^burrow: failed: guard: cannot reach destination/);
  });

  it('shows a host key and pins it only with confirmation', async () => {
    const config = labConfig(lab) as unknown as { hosts: Record<string, { hostKey?: string }> };
    delete config.hosts.source!.hostKey;
    const path = writeConfig(config);
    const shown = await run('node', [BURROW, 'hostkey', 'source', '--config', path]);
    expect(shown.stdout).toContain(lab.source.hostKeyFingerprint);
    const noConfirm = await run('node', [BURROW, 'hostkey', 'source', '--write', '--config', path]).then(
      () => undefined,
      (e) => e,
    );
    expect(noConfirm.code).toBe(2);
    expect(JSON.parse(readFileSync(path, 'utf8')).hosts.source.hostKey).toBeUndefined();
    const missingPin = await run('node', [BURROW, 'run', '--config', path]).then(
      () => undefined,
      (e) => e,
    );
    expect(missingPin.stderr).toContain('has no pinned host key');
    await run('node', [BURROW, 'hostkey', 'source', '--write', '--yes', '--config', path]);
    expect(JSON.parse(readFileSync(path, 'utf8')).hosts.source.hostKey).toBe(lab.source.hostKeyLine);
  });
});
