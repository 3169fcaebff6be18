/**
 * `burrow demo` as a newcomer runs it: a fresh HOME, no config, a normal
 * user (as root, a temporary user is created for it). It must finish a
 * backup through the tunnel within a minute and leave nothing behind.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../electron/lab/wait-for';

const ROOT = join(import.meta.dirname, '..', '..');
const BURROW = join(ROOT, 'electron', 'cli', 'burrow.mjs');
const isRoot = process.getuid?.() === 0;
const user = isRoot ? `bdemo${process.pid % 100000}` : undefined;

afterAll(() => {
  if (user) execFileSync('userdel', ['-r', '-f', user], { stdio: 'ignore' });
});

function pidsOf(uid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const status = readFileSync(`/proc/${d}/status`, 'utf8');
        // A zombie has already exited; init reaps it when it gets to it.
        return /^Uid:\s+(\d+)/m.exec(status)?.[1] === String(uid) && !/^State:\s+Z/m.test(status);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('burrow demo', () => {
  it('runs a backup through the tunnel as a normal user with a fresh HOME, in under a minute, and leaves nothing behind', async () => {
    const home = mkdtempSync(join(tmpdir(), 'burrow-newcomer-'));
    let argv = [process.execPath, BURROW, 'demo'];
    let uid = process.getuid!();
    if (user) {
      execFileSync('useradd', ['-M', '-d', home, '-s', '/bin/sh', user]);
      execFileSync('chown', [user, home]);
      chmodSync(home, 0o700);
      uid = Number(execFileSync('id', ['-u', user]).toString().trim());
      argv = ['runuser', '-u', user, '--', ...argv];
    }
    const started = Date.now();
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: home, LANG: 'C.UTF-8' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    const seconds = (Date.now() - started) / 1000;

    expect(code, out).toBe(0);
    expect(seconds).toBeLessThan(60);
    expect(out).toMatch(/✓ transfer/);
    expect(out).toMatch(/tunnel up on source port \d+/);
    expect(out).toMatch(/archives landed in/);
    const labDir = /config\s+(\S+)\/burrow-demo\.json/.exec(out)?.[1];
    expect(labDir).toBeDefined();
    expect(existsSync(labDir!)).toBe(false);
    const ports = [...out.matchAll(/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
    const listening = execFileSync('ss', ['-Hltn']).toString();
    for (const p of ports) expect(listening).not.toMatch(new RegExp(`:${p}\\s`));
    if (user) await waitFor(() => pidsOf(uid).length === 0, { timeoutMs: 5000, what: `no process of ${user} left (${pidsOf(uid).join(' ')})` });
    if (!user) console.warn('burrow demo ran as the current (non-root) user');
    expect(existsSync(join(home, '.config', 'burrow', 'config.json'))).toBe(false); // the user's own config is untouched
  }, 120_000);
});
