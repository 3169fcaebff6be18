/**
 * What the scale benchmark measures on one history: the commands a person
 * types (`burrow status --json`, `burrow history --limit 20`), `burrow
 * serve` up to its URL and its `getState`, the idle daemon's memory (and,
 * where asked, CPU), and the History page's first rows in Chromium. Every
 * command is the real CLI (the dist/cli bundle) in a child process.
 */
import type { Reply } from '../shared/api-reply';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser } from 'playwright-core';
import { Engine } from '../electron/engine/engine';
import type { BurrowConfig } from '../shared/config-schema';
import { startServe } from '../test/e2e/serve-process';
import { startChild } from './idle-cost';
import { cpuBetween, cpuSnapshot, rssMiBOf } from './proc-stat';
import type { ScaleDir } from './scale-history';

const BURROW = join(import.meta.dirname, '..', 'electron', 'cli', 'burrow.mjs');

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function env(d: ScaleDir): NodeJS.ProcessEnv {
  return { ...process.env, XDG_STATE_HOME: d.stateHome, XDG_CONFIG_HOME: join(d.dir, 'config') };
}

/** Wall time of one CLI command, ms; throws when it fails. */
function timed(d: ScaleDir, args: string[], check: (stdout: string) => void): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BURROW, ...args, '--config', d.configPath], { env: env(d), encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`burrow ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(0, 2000)}`);
  check(r.stdout);
  return ms;
}

export interface CommandTimes {
  statusMs: number;
  historyMs: number;
  /** What the history costs of `status`: Engine.open and status() in this process, modules already loaded (median of three). */
  statusHistoryMs: number;
}

/** `burrow status --json` and `burrow history --limit 20`, median of three each. */
export function commandTimes(d: ScaleDir): CommandTimes {
  const status = [0, 1, 2].map(() =>
    timed(d, ['status', '--json'], (out) => {
      const n = (JSON.parse(out) as unknown[]).length;
      if (n !== d.jobs) throw new Error(`status listed ${n} jobs, not ${d.jobs}`);
    }),
  );
  const history = [0, 1, 2].map(() =>
    timed(d, ['history', '--limit', '20'], (out) => {
      if (out.split('\n').filter((l) => /^\d{4}-/.test(l)).length < Math.min(20, d.runs)) throw new Error(`history printed too little:\n${out}`);
    }),
  );
  return { statusMs: median(status), historyMs: median(history), statusHistoryMs: 0 };
}

/** `status` without the cost of starting Node and loading modules: what grows (or not) with the history. */
export async function statusInProcess(d: ScaleDir): Promise<number> {
  const config = JSON.parse(readFileSync(d.configPath, 'utf8')) as BurrowConfig;
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const engine = await Engine.open({ config, stateDir: d.stateDir });
    const jobs = engine.status();
    times.push(performance.now() - t0);
    await engine.shutdown();
    if (jobs.length !== d.jobs) throw new Error(`status listed ${jobs.length} jobs`);
  }
  return median(times);
}

export interface ServeTimes {
  /** From spawning `burrow serve` to its URL on stdout. */
  startMs: number;
  firstGetStateMs: number;
  /** Median of five more. */
  getStateMs: number;
  /** Missed slots the start-up found and the state shows (a start after days off). */
  outstanding: number;
}

/** `burrow serve`: start-up, then getState over HTTP as the UI asks it. */
export async function serveTimes(d: ScaleDir): Promise<ServeTimes> {
  const t0 = performance.now();
  const serve = await startServe(d.dir, undefined, []);
  const startMs = performance.now() - t0;
  try {
    const getState = async () => {
      const t = performance.now();
      const res = await fetch(`http://127.0.0.1:${serve.port}/api/getState`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${serve.token}`, 'Content-Type': 'application/json' },
        body: '{}',
      });
      const body = (await res.json()) as Reply<{ jobs: { outstanding: unknown[] }[] }>;
      const ms = performance.now() - t;
      const jobs = body.ok ? body.value.jobs : undefined;
      if (!res.ok || !jobs || jobs.length !== d.jobs) throw new Error(`getState answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
      return { ms, outstanding: jobs.reduce((n, j) => n + j.outstanding.length, 0) };
    };
    const first = await getState();
    const more: number[] = [];
    for (let i = 0; i < 5; i++) more.push((await getState()).ms);
    return { startMs, firstGetStateMs: first.ms, getStateMs: median(more), outstanding: first.outstanding };
  } finally {
    await serve.stop();
  }
}

export interface DaemonIdle {
  /** From spawn to "next run" in its log. */
  startMs: number;
  rssMiB: number;
  /** CPU seconds per minute while idle, when a window was given. */
  cpuSecondsPerMin?: number;
}

/** `burrow daemon`, armed with nothing due: its memory after `settleSeconds`, and its CPU over `windowSeconds`. */
export async function daemonIdle(d: ScaleDir, settleSeconds: number, windowSeconds = 0): Promise<DaemonIdle> {
  const c = await startChild({ args: [BURROW, 'daemon', '--config', d.configPath], env: env(d), ready: 'next run' });
  try {
    // Its first log line names the code it runs (the output kept in memory may have lost it with 200 jobs).
    const log = readFileSync(join(d.stateDir, 'burrow.log'), 'utf8');
    if (!/code dist\/cli\//.test(log)) throw new Error(`burrow daemon did not run the bundle: ${log.slice(0, 500)}`);
    await sleep(settleSeconds * 1000);
    const pid = c.child.pid!;
    const out: DaemonIdle = { startMs: c.startSeconds * 1000, rssMiB: rssMiBOf(pid) ?? NaN };
    if (windowSeconds > 0) {
      const a = cpuSnapshot(pid)!;
      let rss = out.rssMiB;
      for (let i = 0; i < windowSeconds; i++) {
        await sleep(1000);
        rss = Math.max(rss, rssMiBOf(pid) ?? 0);
      }
      const b = cpuSnapshot(pid);
      if (!b) throw new Error('the daemon ended while idling');
      out.cpuSecondsPerMin = (cpuBetween(a, b) / windowSeconds) * 60;
      out.rssMiB = rss;
    }
    return out;
  } finally {
    const exited = new Promise((r) => c.child.once('exit', r));
    c.child.kill('SIGTERM');
    await exited;
  }
}

/** Opens the History page in Chromium: ms until its first row is on screen (median of three loads), and the rows shown. */
export async function historyFirstPaint(d: ScaleDir, browser: Browser): Promise<{ ms: number; rows: number }> {
  const serve = await startServe(d.dir, undefined, []);
  try {
    const times: number[] = [];
    let rows = 0;
    for (let i = 0; i < 3; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const t0 = performance.now();
      await page.goto(`${serve.url}#history`);
      await page.getByTestId('history-row').first().waitFor({ state: 'visible', timeout: 60_000 });
      times.push(performance.now() - t0);
      rows = await page.getByTestId('history-row').count();
      await context.close();
    }
    return { ms: median(times), rows };
  } finally {
    await serve.stop();
  }
}
