/**
 * `npm run bench:scale` (also the last part of `npm run bench`): the history
 * at 1k, 10k and 100k runs over 1, 10, 50 and 200 jobs, and 1,000,000 runs
 * over 200 jobs; what every command costs on each; the History page in
 * Chromium at 10k and 100k runs; a start after three days off; 50 jobs due
 * at once. Writes bench/scale-results.json and its section of
 * docs/performance.md. Needs no lab and no root.
 *
 * Knobs (environment): BENCH_SCALE_RUNS (1000,10000,100000), BENCH_SCALE_JOBS
 * (1,10,50,200), BENCH_SCALE_MILLION (1; 0 skips the 1,000,000-run history),
 * BENCH_SCALE_IDLE_SECONDS (60: the idle-CPU window), BENCH_SCALE_DIR (a
 * scratch dir with room for about 4 GB; removed afterwards).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Heartbeat } from '../electron/engine/state/heartbeat';
import { History } from '../electron/engine/state/history';
import { Scheduler } from '../electron/engine/scheduler';
import { ManualClock } from '../shared/clock';
import type { RunRecord } from '../shared/run-types';
import { launchBrowser } from '../test/e2e/browser';
import { copyHistory, lastSeenAt, makeHistory, scaleConfig, type ScaleDir } from './scale-history';
import { commandTimes, daemonIdle, historyFirstPaint, serveTimes, statusInProcess } from './scale-measure';
import { renderScale, scaleGoals, withScaleSection, type ScaleResults, type ScaleRow } from './scale-report';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

function list(name: string, fallback: number[]): number[] {
  const v = process.env[name];
  if (!v) return fallback;
  const xs = v.split(',').map(Number);
  if (xs.some((x) => !Number.isInteger(x) || x <= 0))
    throw new Error(`${name} must be a comma-separated list of positive whole numbers, not ${JSON.stringify(v)}`);
  return xs;
}

/** 50 jobs on 25 hosts due at the same minute, through the real Scheduler, RunQueue and store; each run takes a few ms. */
async function concurrency(dir: string): Promise<ScaleResults['concurrency']> {
  const clock = new ManualClock('2026-11-26T02:59:00.000Z');
  const config = scaleConfig(50, new Date('2026-11-26T15:00:00.000Z'));
  config.jobs.forEach((j, i) => (j.source = `src${i % 25}`));
  const history = await History.open(dir);
  const heartbeat = await Heartbeat.open(join(dir, 'heartbeat.json'), clock);
  let running = 0;
  let peak = 0;
  let hostClash = false;
  const busy = new Set<string>();
  const scheduler = new Scheduler({
    config,
    history,
    heartbeat,
    clock,
    probe: async () => true,
    runJob: async (job, trigger, slot) => {
      running++;
      peak = Math.max(peak, running);
      if (busy.has(job.source)) hostClash = true;
      busy.add(job.source);
      const rec: RunRecord = {
        id: `${job.name}-1`,
        job: job.name,
        trigger,
        status: 'running',
        startedAt: clock.now().toISOString(),
        stamp: '20261126',
        steps: [],
      };
      if (slot) rec.slot = slot;
      await history.recordRun(rec);
      await new Promise((r) => setTimeout(r, 5));
      busy.delete(job.source);
      running--;
      const done = { ...rec, status: 'succeeded' as const, endedAt: clock.now().toISOString() };
      await history.recordRun(done);
      return done;
    },
  });
  let missed = 0;
  scheduler.on('event', (e) => e.type === 'missed' && missed++);
  await scheduler.startUp();
  clock.set('2026-11-26T03:00:00.000Z');
  const records = await Promise.all(config.jobs.map((j) => scheduler.onSlot(j, new Date('2026-11-26T03:00:00.000Z'))));
  clock.set('2026-11-26T06:00:00.000Z');
  await scheduler.checkMissed('bench');
  history.close();
  const completed = records.filter((r) => r?.status === 'succeeded').length;
  return { jobs: 50, maxConcurrentRuns: config.maxConcurrentRuns, peak, hostClash, completed, missed };
}

/** Runs the whole scale benchmark; returns its results and writes them. */
export async function runScaleBench(say: (m: string) => void): Promise<ScaleResults> {
  const started = performance.now();
  const built = spawnSync(process.execPath, [join(ROOT, 'electron', 'build-electron.mjs')], { cwd: ROOT, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`building the CLI bundle failed: ${built.stderr}`);
  const vite = spawnSync('npx', ['--no-install', 'vite', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (vite.status !== 0) throw new Error(`building the UI failed: ${vite.stderr}`);
  const scratch = process.env.BENCH_SCALE_DIR ?? tmpdir();
  mkdirSync(scratch, { recursive: true });
  const root = mkdtempSync(join(scratch, 'burrow-scale-'));
  const now = new Date();
  const idleSeconds = Number(process.env.BENCH_SCALE_IDLE_SECONDS ?? 60);
  const rows: ScaleRow[] = [];
  const firstPaint: ScaleResults['firstPaint'] = [];
  let afterDaysOff: ScaleResults['afterDaysOff'];
  let million: ScaleRow | undefined;
  const browser = await launchBrowser();
  const measure = async (d: ScaleDir, idleWindow = 0): Promise<ScaleRow> => {
    const commands = { ...commandTimes(d), statusHistoryMs: await statusInProcess(d) };
    const serve = await serveTimes(d);
    // A fresh V8 runs its start-up collections for a while: that is start-up, not idling (as bench/idle-cost.ts).
    const daemon = await daemonIdle(d, 30, idleWindow);
    const row: ScaleRow = { runs: d.runs, jobs: d.jobs, historyMB: d.historyMB, generateSeconds: d.generateSeconds, ...commands, ...serve, daemon };
    say(
      `  ${d.runs} runs / ${d.jobs} jobs (${d.historyMB.toFixed(0)} MB, written in ${d.generateSeconds.toFixed(0)} s): status ${commands.statusMs.toFixed(0)} ms (history part ${commands.statusHistoryMs.toFixed(1)} ms), serve ${serve.startMs.toFixed(0)} ms, getState ${serve.getStateMs.toFixed(1)} ms, daemon ${daemon.rssMiB.toFixed(0)} MiB${daemon.cpuSecondsPerMin !== undefined ? `, ${daemon.cpuSecondsPerMin.toFixed(4)} CPU-s/min` : ''}`,
    );
    return row;
  };
  try {
    for (const runs of list('BENCH_SCALE_RUNS', [1000, 10_000, 100_000])) {
      for (const jobs of list('BENCH_SCALE_JOBS', [1, 10, 50, 200])) {
        say(`history of ${runs} runs over ${jobs} jobs`);
        const d = await makeHistory(root, runs, jobs, now, say);
        rows.push(await measure(d, runs === 100_000 && jobs === 50 ? idleSeconds : 0));
        if (jobs === 50 && (runs === 10_000 || runs === 100_000)) {
          const p = await historyFirstPaint(d, browser);
          firstPaint.push({ runs, jobs, ...p });
          say(`  History page in Chromium: first row after ${p.ms.toFixed(0)} ms, ${p.rows} rows`);
        }
        if (runs === 10_000 && jobs === 200) {
          const off = copyHistory(d, root, 'days-off');
          await lastSeenAt(off, new Date(now.getTime() - 3 * 86_400_000));
          const s = await serveTimes(off);
          afterDaysOff = { runs, jobs, days: 3, startMs: s.startMs, outstanding: s.outstanding };
          say(`  after 3 days off: serve started in ${s.startMs.toFixed(0)} ms with ${s.outstanding} missed slots`);
        }
        rmSync(d.dir, { recursive: true, force: true });
      }
    }
    if (process.env.BENCH_SCALE_MILLION !== '0') {
      say('history of 1,000,000 runs over 200 jobs (about 10 minutes to write)');
      const d = await makeHistory(root, 1_000_000, 200, now, say);
      million = await measure(d, idleSeconds);
      rmSync(d.dir, { recursive: true, force: true });
    }
  } finally {
    await browser.close();
    rmSync(root, { recursive: true, force: true });
  }
  const conc = await concurrency(mkdtempSync(join(tmpdir(), 'burrow-scale-queue-')));
  say(`50 jobs due at once: ${conc.completed} completed, at most ${conc.peak} at once, ${conc.missed} missed`);
  const partial = {
    generatedAt: new Date().toISOString(),
    durationSeconds: (performance.now() - started) / 1000,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model.trim() ?? 'unknown', node: process.version },
    rows,
    firstPaint,
    ...(afterDaysOff ? { afterDaysOff } : {}),
    ...(million ? { million } : {}),
    concurrency: conc,
  };
  const results: ScaleResults = { ...partial, goals: scaleGoals(partial) };
  writeFileSync(join(ROOT, 'bench', 'scale-results.json'), `${JSON.stringify(results, null, 2)}\n`);
  const perf = join(ROOT, 'docs', 'performance.md');
  let doc = '';
  try {
    doc = readFileSync(perf, 'utf8');
  } catch {
    doc = '# Performance\n';
  }
  const section = renderScale(results);
  writeFileSync(perf, withScaleSection(doc, section));
  console.log(`\n${section}`);
  return results;
}

/** `--render`: the section again from bench/scale-results.json (after a change to the report, without measuring again). */
function renderOnly(): void {
  const saved = JSON.parse(readFileSync(join(ROOT, 'bench', 'scale-results.json'), 'utf8')) as ScaleResults;
  const results: ScaleResults = { ...saved, goals: scaleGoals(saved) };
  writeFileSync(join(ROOT, 'bench', 'scale-results.json'), `${JSON.stringify(results, null, 2)}\n`);
  const perf = join(ROOT, 'docs', 'performance.md');
  const section = renderScale(results);
  writeFileSync(perf, withScaleSection(readFileSync(perf, 'utf8'), section));
  console.log(section);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && process.argv.includes('--render')) {
  renderOnly();
} else if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t0 = performance.now();
  const say = (m: string) => console.log(`bench:scale [${((performance.now() - t0) / 1000).toFixed(0)} s]: ${m}`);
  runScaleBench(say).then(
    // A MISS is a result, not a failure: the table says it.
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
