/**
 * `burrow demo` as a newcomer runs it: a fresh HOME, no config, a normal
 * user (as root, a temporary user is created for it). It must finish a
 * backup through the tunnel within a minute and leave nothing behind.
 *
 * As root the checkout may sit in a private directory (/root is 0700): the
 * temporary user is then given passage (an ACL entry naming only it) through
 * the directories it could not pass, for this test's life; where that cannot
 * be done, the test says why and is skipped.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../electron/lab/wait-for';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BURROW = join(ROOT, 'electron', 'cli', 'burrow.mjs');
const isRoot = process.getuid?.() === 0;
const user = isRoot ? `bdemo${process.pid % 100000}` : undefined;
/** Directories given an ACL entry for the temporary user, and how to put each back. */
const granted: { dir: string; mode: number; hadAcl: boolean }[] = [];

afterAll(() => {
  for (const g of granted.reverse()) {
    spawnSync('setfacl', g.hadAcl ? ['-x', `u:${user}`, g.dir] : ['-b', g.dir]);
    chmodSync(g.dir, g.mode);
  }
  if (user) execFileSync('userdel', ['-r', '-f', user], { stdio: 'ignore' });
});

const canAs = (who: string, test: '-x' | '-r', path: string) => spawnSync('runuser', ['-u', who, '--', 'test', test, path]).status === 0;

/**
 * Lets `who` pass through every directory from `/` down to `path` (and read
 * `path` itself when `read`), with an ACL entry for that user only. Returns
 * why it could not, or undefined.
 */
function grantPassage(who: string, path: string, read: boolean): string | undefined {
  const chain: string[] = [];
  for (let d = path; ; d = dirname(d)) {
    chain.unshift(d);
    if (d === dirname(d)) break;
  }
  for (const dir of chain) {
    const need = read && dir === path ? '-r' : '-x';
    if (canAs(who, '-x', dir) && (need === '-x' || canAs(who, '-r', dir))) continue;
    const hadAcl = spawnSync('getfacl', ['--skip-base', '--absolute-names', dir], { encoding: 'utf8' }).stdout.trim() !== '';
    const mode = statSync(dir).mode & 0o7777;
    const set = spawnSync('setfacl', ['-m', `u:${who}:${need === '-r' ? 'rx' : 'x'}`, dir], { encoding: 'utf8' });
    if (set.error || set.status !== 0) return `cannot give ${who} passage through ${dir} (0${mode.toString(8)}): ${set.error?.message ?? set.stderr.trim()}`;
    granted.push({ dir, mode, hadAcl });
  }
  return undefined;
}

/** Prepares the temporary user's access to the checkout, node and its HOME; the reason when it cannot. */
function prepareUser(who: string, home: string): string | undefined {
  for (const [path, read] of [
    [ROOT, true],
    [dirname(process.execPath), false],
    [home, false],
  ] as const) {
    const why = grantPassage(who, path, read);
    if (why) return why;
  }
  for (const file of [BURROW, join(ROOT, 'package.json'), join(ROOT, 'node_modules', 'tsx', 'package.json'), process.execPath]) {
    if (!canAs(who, '-r', file)) return `${who} cannot read ${file} even with passage through its directories (a checkout made with umask 077?)`;
  }
  return undefined;
}

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
  it('runs a backup through the tunnel as a normal user with a fresh HOME, in under a minute, and leaves nothing behind', async (ctx) => {
    const home = mkdtempSync(join(tmpdir(), 'burrow-newcomer-'));
    let argv = [process.execPath, BURROW, 'demo'];
    let uid = process.getuid!();
    if (user) {
      execFileSync('useradd', ['-M', '-d', home, '-s', '/bin/sh', user]);
      execFileSync('chown', [user, home]);
      chmodSync(home, 0o700);
      uid = Number(execFileSync('id', ['-u', user]).toString().trim());
      argv = ['runuser', '-u', user, '--', ...argv];
      const cannot = prepareUser(user, home);
      if (cannot) {
        console.warn(`burrow demo test skipped: ${cannot}`);
        ctx.skip(cannot);
      }
      if (granted.length > 0) console.warn(`burrow demo test: gave ${user} passage through ${granted.map((g) => g.dir).join(', ')} for this test`);
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
    // The demo says where its hosts really are: a normal user's lab is on loopback.
    const hosts = [...out.matchAll(/^ {2}(source|destination) +(\S+):(\d+) /gm)].map((m) => ({ role: m[1], address: m[2], port: Number(m[3]) }));
    expect(hosts.map((h) => [h.role, h.address])).toEqual([
      ['source', '127.0.0.1'],
      ['destination', '127.0.0.1'],
    ]);
    const listening = execFileSync('ss', ['-Hltn']).toString();
    for (const h of hosts) expect(listening).not.toMatch(new RegExp(`:${h.port}\\s`));
    if (user) await waitFor(() => pidsOf(uid).length === 0, { timeoutMs: 5000, what: `no process of ${user} left (${pidsOf(uid).join(' ')})` });
    if (!user) console.warn('burrow demo ran as the current (non-root) user');
    expect(existsSync(join(home, '.config', 'burrow', 'config.json'))).toBe(false); // the user's own config is untouched
  }, 120_000);

  it('--keep keeps the lab until Ctrl-C, printing the addresses its hosts really have (their namespaces as root)', async () => {
    const home = mkdtempSync(join(tmpdir(), 'burrow-keep-'));
    const child = spawn(process.execPath, [BURROW, 'demo', '--keep'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: home, LANG: 'C.UTF-8' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    try {
      await waitFor(() => /the lab keeps running/.test(out) || child.exitCode !== null, { timeoutMs: 90_000, what: `the demo to finish its run:\n${out}` });
      expect(child.exitCode, out).toBeNull();
      const hosts = [...out.matchAll(/^ {2}(source|destination) +(\S+):(\d+) /gm)].map((m) => ({ address: m[2]!, port: Number(m[3]) }));
      expect(hosts).toHaveLength(2);
      const netns = /one network namespace per host/.test(out);
      for (const h of hosts) {
        if (netns) expect(h.address).not.toBe('127.0.0.1');
        // Each host answers at the address printed: an SSH banner, while the lab is kept.
        const banner = await sshBanner(h.address, h.port);
        expect(banner, `${h.address}:${h.port}`).toMatch(/^SSH-2\.0-/);
      }
      // Still there after those round trips (it used to exit right after saying it would stay): only a signal ends it.
      expect(child.exitCode, out).toBeNull();
      const labDir = /config\s+(\S+)\/burrow-demo\.json/.exec(out)![1]!;
      expect(existsSync(labDir)).toBe(true);
      child.kill('SIGINT');
      expect(await exited, out).toBe(0);
      expect(out).toMatch(/lab removed/);
      expect(existsSync(labDir)).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 150_000);
});

/** The first line an SSH server sends on connect. */
function sshBanner(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let data = '';
    const done = (v: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(data), 5000);
    socket.on('data', (b: Buffer) => {
      data += b.toString('latin1');
      if (data.includes('\n')) done(data);
    });
    socket.on('error', (err) => done(`error: ${err.message}`));
  });
}
