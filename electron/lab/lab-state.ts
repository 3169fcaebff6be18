/**
 * Bookkeeping that lets a lab be torn down even when its owner cannot do it
 * properly: a manifest in the lab dir listing every system resource, a
 * synchronous teardown for process exit / fatal signals, and a sweep of labs
 * whose owning process died (SIGKILL, crash) that runs before each startLab.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killTreeSync, listProcesses, processesInNetns, processStartTime } from './proc';

/** Everything a lab creates outside its own processes. */
export interface LabManifest {
  id: string;
  mode: string;
  dir: string;
  ownerPid: number;
  ownerStartTime: number | undefined;
  bootId: string;
  netns: string[];
  rootVeths: string[];
  users: string[];
}

/** Directory that holds lab dirs (`burrow-lab-<id>`). */
export function labParentDir(): string {
  return process.env.BURROW_LAB_PARENT_DIR ?? tmpdir();
}

/** Matches the base name of a lab dir and captures the id. */
export const LAB_DIR_RE = /^burrow-lab-([0-9a-f]{4})$/;

/** Kernel boot id, to tell whether a stale lab's namespaces can still exist. */
export function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

/** Describe this process as the owner of a new lab. */
export function ownerFields(): Pick<LabManifest, 'ownerPid' | 'ownerStartTime' | 'bootId'> {
  return { ownerPid: process.pid, ownerStartTime: processStartTime(process.pid), bootId: bootId() };
}

/** Write (or rewrite) `<dir>/lab.json`. */
export function writeManifest(m: LabManifest): void {
  writeFileSync(join(m.dir, 'lab.json'), `${JSON.stringify(m, null, 2)}\n`, { mode: 0o644 });
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/**
 * Synchronous, best-effort teardown of everything in a manifest. Used by exit
 * handlers and by the stale-lab sweep; never throws. `extraPids` are process
 * trees to kill first (the lab's sshd processes).
 */
export function teardownSync(m: LabManifest, extraPids: number[] = []): void {
  const quiet = { stdio: 'ignore' as const, timeout: 10_000 };
  try {
    for (const pid of extraPids) killTreeSync(pid);
    // Any process started from the lab dir (sshd -f <dir>/.../sshd_config).
    for (const p of listProcesses()) {
      if (p.pid !== process.pid && p.state !== 'Z' && cmdline(p.pid).includes(`${m.dir}/`)) killTreeSync(p.pid);
    }
    for (const ns of m.netns) {
      for (const p of processesInNetns(ns)) if (p.pid !== process.pid) killTreeSync(p.pid);
      if (existsSync(`/run/netns/${ns}`)) spawnSync('ip', ['netns', 'del', ns], quiet);
    }
    for (const dev of m.rootVeths) {
      if (existsSync(`/sys/class/net/${dev}`)) spawnSync('ip', ['link', 'del', dev], quiet);
    }
    for (const user of m.users) spawnSync('userdel', ['-f', user], quiet);
  } catch {
    // best effort
  }
  try {
    rmSync(m.dir, { recursive: true, force: true });
  } catch {
    // best effort
  }
}

const active = new Map<string, () => void>();
let handlersInstalled = false;

function runAllSync(): void {
  for (const [id, fn] of [...active]) {
    active.delete(id);
    fn();
  }
}

function onSignal(sig: NodeJS.Signals): void {
  runAllSync();
  // Re-raise only if nobody else handles the signal, to keep its default effect.
  if (process.listenerCount(sig) === 1) {
    process.removeAllListeners(sig);
    process.kill(process.pid, sig);
  }
}

/** Register a synchronous teardown to run on process exit or SIGINT/SIGTERM/SIGHUP. */
export function registerActiveLab(id: string, teardown: () => void): void {
  active.set(id, teardown);
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', runAllSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSignal);
}

/** Forget a lab that was stopped normally. */
export function unregisterActiveLab(id: string): void {
  active.delete(id);
}

function ownerAlive(m: LabManifest): boolean {
  if (m.bootId !== bootId()) return false;
  if (m.ownerPid === process.pid) return true;
  const start = processStartTime(m.ownerPid);
  return start !== undefined && (m.ownerStartTime === undefined || start === m.ownerStartTime);
}

/**
 * Tear down labs whose owning process is gone (killed before it could clean
 * up). Labs of live processes are never touched. Returns the ids swept.
 */
export function sweepStaleLabs(): string[] {
  const swept: string[] = [];
  const parent = labParentDir();
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return swept;
  }
  for (const name of names) {
    const m = LAB_DIR_RE.exec(name);
    if (!m) continue;
    const dir = join(parent, name);
    let manifest: LabManifest | undefined;
    try {
      manifest = JSON.parse(readFileSync(join(dir, 'lab.json'), 'utf8')) as LabManifest;
    } catch {
      // A lab dir is given its manifest right after mkdir; one without it
      // that is more than a minute old belongs to a crashed startLab.
      try {
        if (Date.now() - statSync(dir).mtimeMs > 60_000) rmSync(dir, { recursive: true, force: true });
      } catch {
        // ignore
      }
      continue;
    }
    if (manifest.dir !== dir || ownerAlive(manifest)) continue;
    teardownSync(manifest);
    swept.push(m[1]!);
  }
  return swept;
}
