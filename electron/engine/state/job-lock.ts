/**
 * One run per job at a time, across processes: a lock file holding the
 * holder's pid. A lock left by a dead process is taken over; a live holder
 * is reported by pid.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { BurrowError } from '../errors';

export interface LockInfo {
  pid: number;
  host: string;
  /** What the holder is doing, e.g. "run (schedule)". */
  purpose: string;
  since: string;
  /** Distinguishes this holder from a later process that reuses the pid. */
  token: string;
}

export class LockHeldError extends BurrowError {
  constructor(
    readonly job: string,
    readonly holder: LockInfo,
  ) {
    super('internal', `job ${job} is already running in process ${holder.pid} on ${holder.host} (${holder.purpose}, since ${holder.since})`);
    this.name = 'LockHeldError';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readLock(path: string): Promise<LockInfo | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LockInfo;
  } catch {
    return undefined;
  }
}

export interface HeldLock {
  info: LockInfo;
  /** Took the lock over from a dead process. */
  tookOverFrom?: LockInfo;
  release(): Promise<void>;
}

export async function acquireJobLock(dir: string, job: string, purpose: string): Promise<HeldLock> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${job}.lock`);
  const info: LockInfo = { pid: process.pid, host: hostname(), purpose, since: new Date().toISOString(), token: randomBytes(8).toString('hex') };
  let tookOverFrom: LockInfo | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fh = await open(path, 'wx', 0o600);
      try {
        await fh.writeFile(JSON.stringify(info));
      } catch (err) {
        // A full disk: no empty lock file left for the next run to wait on.
        await fh.close().catch(() => undefined);
        await rm(path, { force: true });
        throw err;
      }
      await fh.close();
      const held: HeldLock = {
        info,
        release: async () => {
          const now = await readLock(path);
          if (now?.token === info.token) await rm(path, { force: true });
        },
      };
      if (tookOverFrom) held.tookOverFrom = tookOverFrom;
      return held;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = await readLock(path);
    if (holder && holder.host === hostname() && alive(holder.pid)) throw new LockHeldError(job, holder);
    if (holder && holder.host !== hostname()) throw new LockHeldError(job, holder);
    // Stale (dead holder) or unreadable (being written right now): take over
    // under a short-lived guard so two processes cannot both do it.
    if (!holder) {
      const age = await stat(path).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age < 2000) continue;
    }
    const guard = `${path}.takeover`;
    try {
      const g = await open(guard, 'wx');
      await g.close();
    } catch {
      const age = await stat(guard).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > 10_000) await rm(guard, { force: true });
      continue;
    }
    try {
      const again = await readLock(path);
      if (again?.token === holder?.token) {
        await rm(path, { force: true });
        if (holder) tookOverFrom = holder;
      }
    } finally {
      await rm(guard, { force: true });
    }
  }
  const holder = await readLock(path);
  throw holder ? new LockHeldError(job, holder) : new BurrowError('internal', `could not take the lock ${path}`);
}
