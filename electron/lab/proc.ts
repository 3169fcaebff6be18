/**
 * Process-table helpers based on /proc: process trees, network-namespace
 * membership, and killing a whole tree without leaving processes behind.
 */
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { waitFor } from './wait-for';

/** One row of the process table. */
export interface ProcInfo {
  pid: number;
  ppid: number;
  /** Single-letter state from /proc/PID/stat (`R`, `S`, `T`, `Z`, ...). */
  state: string;
  /** Executable name (truncated to 15 characters by the kernel). */
  comm: string;
}

/** Parse /proc/PID/stat; `undefined` when the process does not exist (any more). */
export function readProc(pid: number): ProcInfo | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // comm is in parentheses and may itself contain spaces or ')'.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  const rest = text.slice(close + 2).split(' ');
  return { pid, comm: text.slice(open + 1, close), state: rest[0] ?? '?', ppid: Number(rest[1]) };
}

/** Snapshot of every process currently visible in /proc. */
export function listProcesses(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const info = readProc(Number(name));
    if (info) out.push(info);
  }
  return out;
}

/** True when `pid` exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  const info = readProc(pid);
  return info !== undefined && info.state !== 'Z';
}

/** True when /proc still has an entry for `pid` (zombies included). */
export function exists(pid: number): boolean {
  return readProc(pid) !== undefined;
}

/**
 * `root` and all its descendants (children, grandchildren, ...), parents
 * before children. Zombies are included. Empty when `root` does not exist.
 */
export function processTree(root: number, procs: ProcInfo[] = listProcesses()): ProcInfo[] {
  const byParent = new Map<number, ProcInfo[]>();
  let rootInfo: ProcInfo | undefined;
  for (const p of procs) {
    if (p.pid === root) rootInfo = p;
    const list = byParent.get(p.ppid);
    if (list) list.push(p);
    else byParent.set(p.ppid, [p]);
  }
  if (!rootInfo) return [];
  const out: ProcInfo[] = [rootInfo];
  for (let i = 0; i < out.length; i++) {
    for (const child of byParent.get(out[i]!.pid) ?? []) out.push(child);
  }
  return out;
}

/** Inode number identifying the network namespace of `pid`, if readable. */
export function netnsInodeOfPid(pid: number): number | undefined {
  try {
    const link = readlinkSync(`/proc/${pid}/ns/net`); // "net:[4026532281]"
    const m = /\[(\d+)\]/.exec(link);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Inode number of a named network namespace (`ip netns add NAME`), if it exists. */
export function netnsInodeOfName(name: string): number | undefined {
  try {
    return statSync(`/run/netns/${name}`).ino;
  } catch {
    return undefined;
  }
}

/** Every process (zombies excluded) whose network namespace is the named one. */
export function processesInNetns(name: string): ProcInfo[] {
  const ino = netnsInodeOfName(name);
  if (ino === undefined) return [];
  return listProcesses().filter((p) => p.state !== 'Z' && netnsInodeOfPid(p.pid) === ino);
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/**
 * SIGSTOP `root` and all its descendants, repeating until no new process
 * appears (a process can fork between two /proc scans), and return the frozen
 * tree.
 */
export function freezeTree(root: number): ProcInfo[] {
  const stopped = new Set<number>();
  for (let round = 0; round < 50; round++) {
    const tree = processTree(root).filter((p) => p.state !== 'Z');
    const fresh = tree.filter((p) => !stopped.has(p.pid));
    if (fresh.length === 0) return tree;
    for (const p of fresh) {
      signal(p.pid, 'SIGSTOP');
      stopped.add(p.pid);
    }
  }
  return processTree(root);
}

/**
 * Kill `root` and every descendant with SIGKILL and resolve once none of them
 * is alive any more.
 *
 * The tree is frozen first so that nothing can fork while it is being killed.
 * Processes whose parent dies at the same time are re-parented to init; with an
 * init that does not reap (some VMs), those stay as zombies, which count as
 * gone here. Callers that need zero zombies run the tree's root as the init of
 * its own PID namespace (see `unshare --pid`) and use {@link killPidNamespace}.
 */
export async function killTree(root: number, timeoutMs = 10_000): Promise<void> {
  const tree = freezeTree(root);
  for (const p of tree) signal(p.pid, 'SIGKILL');
  await waitFor(() => tree.every((p) => !isAlive(p.pid)), {
    timeoutMs,
    intervalMs: 5,
    what: `process tree of ${root} (${tree.map((p) => `${p.pid}:${p.comm}`).join(', ')}) to die`,
  });
}

/**
 * Kill the init process `init` of a PID namespace. The kernel then kills every
 * other process of that namespace and the dying init reaps them, so nothing
 * (not even a zombie) is left. Resolves once all processes that were in the
 * tree of `init` have vanished from /proc.
 */
export async function killPidNamespace(init: number, timeoutMs = 10_000): Promise<void> {
  const tree = processTree(init);
  signal(init, 'SIGKILL');
  await waitFor(() => tree.every((p) => !exists(p.pid)), {
    timeoutMs,
    intervalMs: 5,
    what: `PID namespace of ${init} (${tree.map((p) => `${p.pid}:${p.comm}`).join(', ')}) to vanish`,
  });
}

/** Synchronous best-effort variant for process exit handlers: SIGKILL the tree. */
export function killTreeSync(root: number): void {
  for (const p of freezeTree(root)) signal(p.pid, 'SIGKILL');
}

/** Command line of `pid` with spaces between arguments ('' when gone). */
export function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** Live processes whose command line contains `text`. */
export function processesMentioning(text: string): number[] {
  return listProcesses()
    .filter((p) => p.state !== 'Z' && cmdlineOf(p.pid).includes(text))
    .map((p) => p.pid);
}

/** Start time (clock ticks since boot) of `pid`, used to detect PID reuse. */
export function processStartTime(pid: number): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return Number(rest[19]);
  } catch {
    return undefined;
  }
}
