/**
 * Measurement 5: what the engine costs while nothing is due. An armed engine
 * runs in a child process (`node --import tsx`, as `burrow daemon` runs),
 * next to a child that only loads the same runtime and, for comparison, the
 * same engine bundled with esbuild under plain `node`. All are sampled from
 * /proc for the same window (each child with any processes below it): CPU
 * seconds over the window (per thread from schedstat, nanoseconds), and
 * VmRSS each second.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BurrowConfig } from '../shared/config-schema';
import { cpuBetween, cpuSnapshot, treeRssMiB, type CpuSnapshot } from './proc-stat';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Idle figures of one child process. */
export interface IdleResult {
  name: string;
  windowSeconds: number;
  cpuSeconds: number;
  cpuSecondsPerMinute: number;
  /** VmRSS at the end of the window, 10^6 bytes. */
  rssMB: number;
  rssMaxMB: number;
  /** Time from spawn to "ready", seconds. */
  startSeconds: number;
  /** From "ready" to the start of the window, and the CPU used then (start-up settling, not idling). */
  settleSeconds: number;
  settleCpuSeconds: number;
}

/** A cron slot about twelve hours from `now`, so nothing is due while measuring. */
export function farAwaySchedule(now: Date): string {
  return `${now.getMinutes()} ${(now.getHours() + 12) % 24} * * *`;
}

const ROOT = join(HERE, '..');

/**
 * idle-child.ts as one ESM file for plain node. Packages left out of the
 * bundle (ssh2's optional native add-ons, as in electron/build-electron.mjs)
 * are required from where ssh2 would require them.
 */
async function bundleIdleChild(outDir: string): Promise<string> {
  const { build } = await import('esbuild');
  const outfile = join(outDir, 'idle-child.bundle.mjs');
  const anchor = join(ROOT, 'node_modules', 'ssh2', 'lib', 'protocol', 'crypto.js');
  await build({
    entryPoints: [join(HERE, 'idle-child.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    external: ['cpu-features', './crypto/build/Release/sshcrypto.node'],
    // CommonJS inside an ESM bundle needs require and __dirname; ssh2's are the ones that matter.
    banner: {
      js: `import { createRequire as burrowBenchRequire } from 'node:module'; const require = burrowBenchRequire(${JSON.stringify(anchor)}); ` +
        `const __dirname = ${JSON.stringify(dirname(dirname(anchor)))}; const __filename = ${JSON.stringify(anchor)};`,
    },
  });
  return outfile;
}

function startChild(nodeArgs: string[], args: string[]): Promise<{ child: ChildProcess; startSeconds: number }> {
  const started = performance.now();
  const script = nodeArgs[nodeArgs.length - 1]!;
  const child = spawn(process.execPath, [...nodeArgs, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  // Never leave a child behind when the bench dies (the lab's own handlers exit on signals).
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  let out = '';
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} was not ready within 60 s: ${err}`));
    }, 60_000);
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('ready\n')) {
        clearTimeout(timer);
        resolve({ child, startSeconds: (performance.now() - started) / 1000 });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited ${code} before it was ready: ${err}`));
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

/** The idle engine child, the one the goals are about. */
export const IDLE_ENGINE = 'Engine, armed, nothing due (node --import tsx, as `burrow daemon`)';

/**
 * Starts the idle engine (on `config`, state in `workDir`), the runtime
 * baseline and the bundled engine; lets them settle for `settleSeconds`
 * (a fresh V8 runs its start-up GCs then: that is start-up, not idling),
 * then samples them all for `windowSeconds`.
 */
export async function measureIdle(config: BurrowConfig, workDir: string, windowSeconds: number, settleSeconds = 30): Promise<IdleResult[]> {
  mkdirSync(join(workDir, 'state'), { recursive: true });
  mkdirSync(join(workDir, 'state-bundled'), { recursive: true });
  const configPath = join(workDir, 'idle-config.json');
  writeFileSync(configPath, JSON.stringify(config));
  const children: { name: string; child: ChildProcess; startSeconds: number; readyAt: number; atReady?: CpuSnapshot }[] = [];
  const add = (name: string, c: { child: ChildProcess; startSeconds: number }) => children.push({ name, ...c, readyAt: performance.now(), atReady: cpuSnapshot(c.child.pid!) });
  try {
    add(IDLE_ENGINE, await startChild(['--import', 'tsx', join(HERE, 'idle-child.ts')], [configPath, join(workDir, 'state')]));
    add('for comparison: node --import tsx, empty script', await startChild(['--import', 'tsx', join(HERE, 'idle-baseline-child.ts')], []));
    try {
      add('for comparison: the same engine bundled with esbuild, plain node', await startChild([await bundleIdleChild(workDir)], [configPath, join(workDir, 'state-bundled')]));
    } catch (err) {
      console.warn(`bench: the bundled idle engine did not start, left out: ${err instanceof Error ? err.message : String(err)}`);
    }
    await sleep(settleSeconds * 1000);
    const snap = (c: (typeof children)[number]) => {
      const s = cpuSnapshot(c.child.pid!);
      if (!s) throw new Error(`${c.name} ended while idling`);
      return s;
    };
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
        windowSeconds: window,
        cpuSeconds,
        cpuSecondsPerMinute: cpuSeconds / (window / 60),
        rssMB: toMB(treeRssMiB(c.child.pid!) ?? NaN),
        rssMaxMB: toMB(rssMax[k]!),
        startSeconds: c.startSeconds,
        settleSeconds: (t0 - c.readyAt) / 1000,
        settleCpuSeconds: c.atReady ? cpuBetween(c.atReady, atStart[k]!) : NaN,
      };
    });
  } finally {
    for (const c of children) await stopChild(c.child);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
