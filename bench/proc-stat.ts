/**
 * CPU time and memory of a process, read from /proc (Linux), for processes
 * the bench does not run itself (the OpenSSH client, the idle engine child).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { processTree } from '../electron/lab/proc';

let ticks: number | undefined;

/** Clock ticks per second (`getconf CLK_TCK`, usually 100). */
export function clockTicks(): number {
  ticks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return ticks;
}

/**
 * utime + stime of `pid` in seconds (plus cutime + cstime, the CPU of its
 * children that ended, with `withEnded`); undefined once the process is gone.
 */
export function cpuSecondsOf(pid: number, withEnded = false): number | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the parenthesised comm: state is field 3, utime 14, stime 15.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const own = Number(rest[11]) + Number(rest[12]);
  const ended = withEnded ? Number(rest[13]) + Number(rest[14]) : 0;
  return (own + ended) / clockTicks();
}

/** CPU seconds of `pid` and every process below it, including descendants that ended. */
export function treeCpuSeconds(pid: number): number | undefined {
  const tree = processTree(pid);
  if (tree.length === 0) return undefined;
  return tree.reduce((sum, p) => sum + (cpuSecondsOf(p.pid, true) ?? 0), 0);
}

/** VmRSS of `pid` and every process below it, MiB. */
export function treeRssMiB(pid: number): number | undefined {
  const tree = processTree(pid);
  if (tree.length === 0) return undefined;
  return tree.reduce((sum, p) => sum + (rssMiBOf(p.pid) ?? 0), 0);
}

/** Resident set size of `pid` in MiB (VmRSS); undefined once the process is gone. */
export function rssMiBOf(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) this Node process has used so far. */
export function ownCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** CPU use of a process tree at one moment: per thread (ns precision) and in clock ticks. */
export interface CpuSnapshot {
  /** "pid/tid" -> seconds on CPU, from /proc/PID/task/TID/schedstat. */
  threads: Map<string, number>;
  /** {@link treeCpuSeconds}: tick resolution, but counts threads and processes that ended. */
  ticks: number;
}

/** Snapshot of `pid` and every process below it; undefined once it is gone. */
export function cpuSnapshot(pid: number): CpuSnapshot | undefined {
  const ticks = treeCpuSeconds(pid);
  if (ticks === undefined) return undefined;
  const threads = new Map<string, number>();
  for (const p of processTree(pid)) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${p.pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        const ns = Number(readFileSync(`/proc/${p.pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
        if (Number.isFinite(ns)) threads.set(`${p.pid}/${tid}`, ns / 1e9);
      } catch {
        // the thread ended between the listing and the read
      }
    }
  }
  return { threads, ticks };
}

/**
 * CPU seconds used between two snapshots: the per-thread sum when no thread
 * of `a` has gone (exact), else the tick count (which keeps ended threads).
 */
export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot): number {
  const vanished = [...a.threads.keys()].some((k) => !b.threads.has(k));
  if (vanished || a.threads.size === 0) return b.ticks - a.ticks;
  let sum = 0;
  for (const [k, v] of b.threads) sum += v - (a.threads.get(k) ?? 0);
  return sum;
}
