/**
 * electron/cli/burrow.mjs runs the dist/cli bundle when it is newer than the
 * sources (plain node: the idle daemon's CPU and memory goals in
 * docs/performance.md depend on it), and the TypeScript sources otherwise or
 * with BURROW_FROM_SOURCE=1. Seen in `burrow daemon`'s first log line.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'burrow-launcher-'));
const configPath = join(dir, 'config.json');
const hostKey = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';

beforeAll(() => {
  const built = spawnSync(process.execPath, [join(ROOT, 'electron', 'build-electron.mjs')], { cwd: ROOT, encoding: 'utf8' });
  expect(built.status, built.stderr).toBe(0);
  const hour = (new Date().getHours() + 12) % 24;
  writeFileSync(
    configPath,
    JSON.stringify({
      hosts: { src: { hostname: '127.0.0.1', port: 2, user: 'x', hostKey }, dst: { hostname: '127.0.0.1', port: 3, user: 'x', hostKey } },
      jobs: [{ name: 'j', source: 'src', paths: ['/etc'], holdingDir: '/tmp/h', destination: { host: 'dst', path: '/b' }, schedule: `0 ${hour} * * *` }],
    }),
  );
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts `burrow daemon`, waits until it is armed, stops it with SIGTERM; returns its log and exit code. */
async function daemonLog(env: NodeJS.ProcessEnv): Promise<{ log: string; code: number | null }> {
  const child = spawn(process.execPath, [join(ROOT, 'electron', 'cli', 'burrow.mjs'), 'daemon', '--config', configPath], {
    env: { ...process.env, XDG_STATE_HOME: mkdtempSync(join(dir, 'state-')), ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (b: Buffer) => {
      log += b.toString();
      if (log.includes('next run')) resolve();
    });
    child.once('exit', () => reject(new Error(`daemon exited before it was armed: ${log}`)));
  });
  child.kill('SIGTERM');
  const code = await exited;
  return { log, code };
}

describe('the burrow launcher', () => {
  it('runs the fresh bundle under plain node', async () => {
    const { log, code } = await daemonLog({ BURROW_FROM_SOURCE: '' });
    // The command's own chunk of the bundle (electron/build-electron.mjs splits it per command).
    expect(log).toMatch(/code dist\/cli\/chunks\/daemon-[A-Z0-9]+\.mjs\)/);
    expect(log).toContain('daemon stopped');
    expect(code).toBe(0);
  }, 60_000);

  it('runs the TypeScript sources with BURROW_FROM_SOURCE=1', async () => {
    const { log, code } = await daemonLog({ BURROW_FROM_SOURCE: '1' });
    expect(log).toContain('code electron/cli/commands/daemon.ts');
    expect(log).toContain('daemon stopped');
    expect(code).toBe(0);
  }, 60_000);
});
