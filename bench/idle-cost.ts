/**
 * Measurement 5: what the engine costs while nothing is due: `burrow daemon`
 * itself, started as a user starts it (electron/cli/burrow.mjs, which sets
 * the relay's heap flag and runs the dist/cli bundle when it is fresh; the
 * bench builds it first), with an empty history and with a 10,000-run one;
 * next to the same bundle started without the heap flag (what the flag
 * costs while idle), the daemon from its TypeScript sources (tsx) and a
 * plain node process doing nothing. All are sampled from /proc for the same
 * window (each child with any processes below it): CPU seconds over the
 * window (per thread from schedstat, nanoseconds), and VmRSS each second.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BurrowConfig } from '../shared/config-schema';
import type { RunRecord } from '../shared/run-types';
import { writeHistoryFixture } from './history-fixture';
import { cpuBetween, cpuSnapshot, treeRssMiB, type CpuSnapshot } from './proc-stat';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Idle figures of one child process. */
export interface IdleResult {
  name: string;
  /** The rows the idle goals are about: the daemon as shipped, with an empty or with a long history. */
  goal?: 'empty-history' | 'long-history';
  windowSeconds: number;
  cpuSeconds: number;
  cpuSecondsPerMinute: number;
  /** VmRSS at the end of the window, 10^6 bytes. */
  rssMB: number;
  rssMaxMB: number;
  /** Highest VmRSS from spawn to the start of the window (start-up: loading the code and the history), 10^6 bytes. */
  startRssMaxMB: number;
  /** Time from spawn to "ready", seconds. */
  startSeconds: number;
  /** From "ready" to the start of the window, and the CPU used then (start-up settling, not idling). */
  settleSeconds: number;
  settleCpuSeconds: number;
  /** The 1-minute load average at the end of the window. */
  load1: number;
}

/** The floor under the idle daemon: node doing nothing until SIGTERM. */
const IDLE_NODE =
  "const t = setInterval(() => {}, 2 ** 30); process.on('SIGTERM', () => { clearInterval(t); process.exit(0); }); process.stdout.write('ready\\n');";

/** A cron slot about twelve hours from `now`, so nothing is due while measuring. */
export function farAwaySchedule(now: Date): string {
  return `${now.getMinutes()} ${(now.getHours() + 12) % 24} * * *`;
}

const ROOT = join(HERE, '..');

/** What to start, and the output line that says it is ready (armed). */
export interface ChildSpec {
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Text on stdout or stderr that means "armed, now idle". */
  ready: string;
}

/** `onSpawn` gets the pid at once, so start-up can be sampled before the child is ready. */
export function startChild(spec: ChildSpec, onSpawn: (pid: number) => void = () => {}): Promise<{ child: ChildProcess; startSeconds: number; output: string }> {
  const started = performance.now();
  const child = spawn(process.execPath, spec.args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...spec.env } });
  if (child.pid !== undefined) onSpawn(child.pid);
  // Never leave a child behind when the bench dies (the lab's own handlers exit on signals).
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${spec.args.join(' ')} was not ready within 60 s: ${out}`));
    }, 60_000);
    const onData = (b: Buffer) => {
      out = (out + b.toString()).slice(-8000);
      if (out.includes(spec.ready)) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.stderr!.off('data', onData);
        child.stdout!.resume();
        child.stderr!.resume();
        resolve({ child, startSeconds: (performance.now() - started) / 1000, output: out });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${spec.args.join(' ')} exited ${code} before it was ready: ${out}`));
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Builds the CLI bundle, writes a `historyRuns`-run history (copies of
 * `templates`, real run records), then starts `burrow daemon` (on `config`,
 * state in `workDir`) as a user runs it with an empty and with that history,
 * the same bundle without the heap flag on both, the daemon from its
 * TypeScript sources and plain node doing nothing; lets them settle for
 * `settleSeconds` (a fresh V8 runs its start-up GCs then: that is start-up,
 * not idling), then samples them all for `windowSeconds`.
 */
export async function measureIdle(
  config: BurrowConfig,
  workDir: string,
  windowSeconds: number,
  settleSeconds: number,
  templates: RunRecord[],
  historyRuns = 10_000,
): Promise<IdleResult[]> {
  const built = spawnSync(process.execPath, [join(ROOT, 'electron', 'build-electron.mjs')], { cwd: ROOT, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`building the CLI bundle failed: ${built.stderr}`);
  const configPath = join(workDir, 'idle-config.json');
  mkdirSync(workDir, { recursive: true });
  writeFileSync(configPath, JSON.stringify(config));
  const burrow = join(ROOT, 'electron', 'cli', 'burrow.mjs');
  // The bundle's own entry without the launcher in front of it: no heap flag.
  const noFlag = `const { main } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'cli', 'main.mjs')).href)}); process.exitCode = await main(process.argv.slice(1));`;
  const daemon = async (stateHome: string, opts: { history?: boolean; heapFlag?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<ChildSpec> => {
    const dir = join(workDir, stateHome);
    mkdirSync(join(dir, 'burrow'), { recursive: true });
    if (opts.history) await writeHistoryFixture(join(dir, 'burrow'), config.jobs[0]!, templates, historyRuns);
    const command = opts.heapFlag === false ? ['--input-type=module', '-e', noFlag] : [burrow];
    return { args: [...command, 'daemon', '--config', configPath], env: { XDG_STATE_HOME: dir, ...opts.env }, ready: 'next run' };
  };
  const runs = `${historyRuns.toLocaleString('en')}-run history`;
  const children: { name: string; goal?: IdleResult['goal']; child: ChildProcess; startSeconds: number; readyAt: number; atReady?: CpuSnapshot }[] = [];
  const add = (name: string, c: { child: ChildProcess; startSeconds: number }, goal?: IdleResult['goal']) =>
    children.push({ name, ...(goal ? { goal } : {}), ...c, readyAt: performance.now(), atReady: cpuSnapshot(c.child.pid!) });
  // VmRSS of every child from its spawn until the window starts, four times a second.
  const startPeak = new Map<number, number>();
  const watch = (pid: number) => startPeak.set(pid, 0);
  const sampler = setInterval(() => {
    for (const [pid, peak] of startPeak) startPeak.set(pid, Math.max(peak, treeRssMiB(pid) ?? 0));
  }, 250);
  const start = (spec: ChildSpec) => startChild(spec, watch);
  try {
    const fromBundle = await start(await daemon('state'));
    add('`burrow daemon`, armed, nothing due (electron/cli/burrow.mjs running the dist/cli bundle), empty history', fromBundle, 'empty-history');
    if (!/code dist\/cli\//.test(fromBundle.output))
      throw new Error(`burrow daemon did not run the bundle (a source newer than the build?): ${fromBundle.output}`);
    add(`the same \`burrow daemon\` with a ${runs}`, await start(await daemon('state-history', { history: true })), 'long-history');
    add('for comparison: the same bundle without the heap flag, empty history', await start(await daemon('state-default-heap', { heapFlag: false })));
    add(
      `for comparison: the same bundle without the heap flag, ${runs}`,
      await start(await daemon('state-default-heap-history', { heapFlag: false, history: true })),
    );
    add(
      'for comparison: the same `burrow daemon` from its TypeScript sources (BURROW_FROM_SOURCE=1, tsx loader)',
      await start(await daemon('state-sources', { env: { BURROW_FROM_SOURCE: '1' } })),
    );
    add('for comparison: plain node, an empty script', await start({ args: ['-e', IDLE_NODE], ready: 'ready' }));
    await sleep(settleSeconds * 1000);
    const snap = (c: (typeof children)[number]) => {
      const s = cpuSnapshot(c.child.pid!);
      if (!s) throw new Error(`${c.name} ended while idling`);
      return s;
    };
    clearInterval(sampler);
    const t0 = performance.now();
    const atStart = children.map(snap);
    const rssMax = children.map(() => 0);
    // Bounded: one sample a second for the window.
    for (let i = 0; i < windowSeconds; i++) {
      await sleep(Math.max(0, t0 + (i + 1) * 1000 - performance.now()));
      children.forEach((c, k) => (rssMax[k] = Math.max(rssMax[k]!, treeRssMiB(c.child.pid!) ?? NaN)));
    }
    const window = (performance.now() - t0) / 1000;
    const atEnd = children.map(snap);
    const toMB = (mib: number) => (mib * 1024 * 1024) / 1e6;
    return children.map((c, k) => {
      const cpuSeconds = cpuBetween(atStart[k]!, atEnd[k]!);
      return {
        name: c.name,
        ...(c.goal ? { goal: c.goal } : {}),
        windowSeconds: window,
        cpuSeconds,
        cpuSecondsPerMinute: cpuSeconds / (window / 60),
        rssMB: toMB(treeRssMiB(c.child.pid!) ?? NaN),
        rssMaxMB: toMB(rssMax[k]!),
        startRssMaxMB: toMB(startPeak.get(c.child.pid!) ?? NaN),
        startSeconds: c.startSeconds,
        settleSeconds: (t0 - c.readyAt) / 1000,
        settleCpuSeconds: c.atReady ? cpuBetween(c.atReady, atStart[k]!) : NaN,
        load1: loadavg()[0]!,
      };
    });
  } finally {
    clearInterval(sampler);
    for (const c of children) await stopChild(c.child);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
