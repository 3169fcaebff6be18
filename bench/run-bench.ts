/**
 * `npm run bench`: "Send only what changed", measured. Starts one lab (real
 * sshd hosts), and on it measures side by side: the tunnel relay's
 * throughput against OpenSSH's, the bytes a second day sends with the
 * original method and with each format, pack time and size per compressor,
 * the end-to-end day-2 run, and the engine's idle cost. Writes
 * bench/results.json and docs/performance.md, prints the markdown, and
 * stops the lab (also when something fails).
 *
 * Knobs (environment): BENCH_RELAY_MIB (512), BENCH_RELAY_ROUNDS (4),
 * BENCH_TREE_MB (210), BENCH_IDLE_SECONDS (60), BENCH_IDLE_SETTLE_SECONDS (30),
 * BENCH_IDLE_HISTORY_RUNS (10000), BENCH_SCALE_SMALL_MB (200), BENCH_SCALE_LARGE_MB (2000), BENCH_SCALE_ROUNDS (3).
 * BENCH_ONLY=relay (section 1, about a minute) or BENCH_ONLY=day2-scale
 * (section 6) runs only that section and merges it into the results.json
 * already there (rewriting docs/performance.md from them).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dateStamp } from '../shared/archive-names';
import { startLab, type Lab } from '../electron/lab/lab';
import { day, labConfig } from '../test/engine/fixtures';
import { COMPRESSORS, DailyBench, METHODS, installed, type Layout } from './daily-methods';
import { measureDay2Scale } from './day2-scale';
import { EngineRuns } from './engine-runs';
import { openBurrowRelay } from './burrow-relay';
import { prepareSourceLogin } from './hops';
import { farAwaySchedule, measureIdle } from './idle-cost';
import { watchNeighbours, type Neighbours } from './neighbours';
import { INNER_CIPHER, measureRelays } from './relay-throughput';
import { goals, renderMarkdown, type BenchResults, type MethodResult } from './report';
import { generateTree, mutateTree, type TreeFile } from './tree-gen';
import { runScaleBench } from './scale';
import { withScaleSection } from './scale-report';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TREE_SEED = 20261126;

function envNumber(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, not ${JSON.stringify(v)}`);
  return n;
}

const settings = {
  relayMiB: Math.round(envNumber('BENCH_RELAY_MIB', 512)),
  relayRounds: Math.round(envNumber('BENCH_RELAY_ROUNDS', 4)),
  innerCipher: INNER_CIPHER,
  treeSeed: TREE_SEED,
  treeMinMB: envNumber('BENCH_TREE_MB', 210),
  idleSeconds: Math.round(envNumber('BENCH_IDLE_SECONDS', 60)),
  idleSettleSeconds: Math.round(envNumber('BENCH_IDLE_SETTLE_SECONDS', 30)),
  idleHistoryRuns: Math.round(envNumber('BENCH_IDLE_HISTORY_RUNS', 10_000)),
  scaleSmallMB: envNumber('BENCH_SCALE_SMALL_MB', 200),
  scaleLargeMB: envNumber('BENCH_SCALE_LARGE_MB', 2000),
  scaleRounds: Math.round(envNumber('BENCH_SCALE_ROUNDS', 3)),
};

const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const say = (m: string) => console.log(`bench [${elapsed()}]: ${m}`);

function machine(lab: Lab): BenchResults['machine'] {
  const rsyncVersion = execFileSync('rsync', ['--version'], { encoding: 'utf8' });
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    kernel: release(),
    labMode: lab.mode,
    rsync: rsyncVersion.split('\n')[0]!.replace(/\s+/g, ' ').trim(),
    openssh: spawnSync('ssh', ['-V'], { encoding: 'utf8' }).stderr.trim().split(',')[0]!,
    rsyncCompression: /Compress list:\s*\n\s*(\S+)/.exec(rsyncVersion)?.[1] ?? 'zlib',
    compressors: Object.fromEntries(['bzip2', 'gzip', 'zstd', 'lbzip2', 'pbzip2', 'pigz'].map((p) => [p, installed(p)])),
  };
}

function describeTree(files: TreeFile[]): Pick<BenchResults['tree'], 'files' | 'dirs' | 'bytes' | 'byKind'> {
  const byKind: Record<string, { files: number; bytes: number }> = {};
  const dirs = new Set<string>();
  for (const f of files) {
    const k = (byKind[f.kind] ??= { files: 0, bytes: 0 });
    k.files++;
    k.bytes += f.size;
    for (let d = dirname(f.path); d !== '.'; d = dirname(d)) dirs.add(d);
  }
  return { files: files.length, dirs: dirs.size, bytes: files.reduce((a, f) => a + f.size, 0), byKind };
}

async function bench(lab: Lab, phase: (name: string) => void): Promise<Omit<BenchResults, 'goals' | 'durationSeconds' | 'generatedAt' | 'neighbours'>> {
  const config = labConfig(lab);
  const login = await prepareSourceLogin(lab);

  phase('1 relay');
  say(`1/5 relay throughput: ${settings.relayMiB} MiB x ${settings.relayRounds} round(s) per relay`);
  const relay = await measureRelays(lab, config, login, settings.relayMiB, settings.relayRounds);

  const treeParent = join(lab.source.home, 'data');
  const treeBase = 'projects';
  const tree = join(treeParent, treeBase);
  phase('tree (not timed)');
  say(`generating a tree of at least ${settings.treeMinMB} MB in ${tree}`);
  const day1Files = generateTree(tree, TREE_SEED, settings.treeMinMB * 1e6, day(0, 12, 0));
  const treeInfo = describeTree(day1Files);
  await lab.source.own(treeParent);

  const layout: Layout = {
    treeParent,
    treeBase,
    holding: join(lab.source.home, 'holding', 'bench'),
    dest: join(lab.destination.home, 'backups', 'bench'),
    stamps: [dateStamp(day(0)), dateStamp(day(1))],
  };
  const tunnel = await openBurrowRelay(lab, config);
  try {
    const daily = new DailyBench(lab, login, tunnel.port, layout);
    await daily.prepare();
    const used = COMPRESSORS.filter((c) => METHODS.some((m) => m.compressor === c.key));

    phase('2 day 1');
    say('2/5 day 1: packing and sending every method once, to have a basis');
    for (const c of used) await daily.pack(c, 1);
    const day1 = new Map(await sequential(METHODS, async (m) => [m.key, await daily.transfer(m, 1)] as const));
    const engine = new EngineRuns(lab, tree);
    say(`engine runs, day 1: ${engine.variants.map((v) => v.key).join(', ')}`);
    await engine.day1();

    const mutation = mutateTree(tree, day1Files, TREE_SEED, { modifyShare: 0.2, add: 40, remove: 20, when: day(1, 12, 0), base: day(0, 12, 0) });
    await lab.source.own(treeParent);
    say(`day 2: ${mutation.summary.modified} changed, ${mutation.summary.added} added, ${mutation.summary.removed} removed`);

    phase('3 pack');
    say('3/5 pack time and size per compressor (day-2 tree)');
    const packs: BenchResults['packs'] = [];
    const packSeconds = new Map<string, number>();
    for (const c of COMPRESSORS) {
      if (!installed(c.argv[0]!)) {
        packs.push({ key: c.key, command: `tar -cf - DIR | ${c.argv.join(' ')}`, missing: true });
        continue;
      }
      const p = await daily.pack(c, 2, used.includes(c));
      packs.push(p);
      packSeconds.set(c.key, p.seconds);
      say(`pack ${c.key}: ${p.seconds.toFixed(1)} s, ${(p.bytes / 1e6).toFixed(1)} MB`);
    }

    phase('2+4 day 2');
    say('2+4/5 day 2: rsync and verify per method');
    const methods: MethodResult[] = [];
    for (const m of METHODS) {
      const day2 = await daily.transfer(m, 2);
      const verifySeconds = await daily.verify(m);
      methods.push({
        key: m.key,
        label: m.label,
        format: m.format,
        ...(m.compressor ? { compressor: m.compressor } : {}),
        day1: day1.get(m.key)!,
        day2,
        packSeconds: m.compressor ? packSeconds.get(m.compressor)! : 0,
        verifySeconds,
      });
      say(`${m.key}: day 2 sent ${(day2.bytesSent / 1e6).toFixed(2)} MB in ${day2.seconds.toFixed(1)} s, verify ${verifySeconds.toFixed(1)} s`);
    }
    phase('4 engine day 2');
    say('engine runs, day 2');
    const engineResults = await engine.day2();

    phase('5 idle');
    say(`5/5 idle cost: ${settings.idleSettleSeconds} s to settle, then ${settings.idleSeconds} s measured`);
    const idleConfig = labConfig(lab, { schedule: farAwaySchedule(new Date()) });
    const idle = await measureIdle(
      idleConfig,
      join(lab.dir, 'bench-idle'),
      settings.idleSeconds,
      settings.idleSettleSeconds,
      engine.day2Records,
      settings.idleHistoryRuns,
    );

    phase('6 day-2 scale');
    say(`6/6 day 2 with the same change over ${settings.scaleSmallMB} MB and ${settings.scaleLargeMB} MB`);
    const day2Scale = await measureDay2Scale(lab, {
      smallMB: settings.scaleSmallMB,
      largeMB: settings.scaleLargeMB,
      seed: TREE_SEED,
      rounds: settings.scaleRounds,
      say,
    });

    return {
      machine: machine(lab),
      settings,
      tree: { ...treeInfo, day2: mutation.summary },
      relay,
      packs,
      methods,
      engine: { results: engineResults },
      idle,
      day2Scale,
    };
  } finally {
    await tunnel.close();
  }
}

async function sequential<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const item of items) out.push(await fn(item));
  return out;
}

/**
 * The sections BENCH_ONLY can run alone: each measures on a lab of its own
 * and says which results and settings it replaces.
 */
const ONLY: Record<string, (lab: Lab) => Promise<{ results: Partial<BenchResults>; settings: Partial<typeof settings> }>> = {
  relay: async (lab) => {
    const relay = await measureRelays(lab, labConfig(lab), await prepareSourceLogin(lab), settings.relayMiB, settings.relayRounds);
    return { results: { relay }, settings: { relayMiB: settings.relayMiB, relayRounds: settings.relayRounds, innerCipher: settings.innerCipher } };
  },
  'day2-scale': async (lab) => {
    const day2Scale = await measureDay2Scale(lab, {
      smallMB: settings.scaleSmallMB,
      largeMB: settings.scaleLargeMB,
      seed: TREE_SEED,
      rounds: settings.scaleRounds,
      say,
    });
    return {
      results: { day2Scale },
      settings: { scaleSmallMB: settings.scaleSmallMB, scaleLargeMB: settings.scaleLargeMB, scaleRounds: settings.scaleRounds },
    };
  },
};

/** BENCH_ONLY=relay or day2-scale: that section alone, merged into the results already written. */
async function onlySection(name: string): Promise<void> {
  const measure = ONLY[name];
  if (!measure) throw new Error(`BENCH_ONLY must be one of ${Object.keys(ONLY).join(', ')}, not ${JSON.stringify(name)}`);
  const path = join(ROOT, 'bench', 'results.json');
  const previous = JSON.parse(readFileSync(path, 'utf8')) as BenchResults;
  const lab = await startLab();
  let measured: Awaited<ReturnType<typeof measure>>;
  try {
    measured = await measure(lab);
  } finally {
    await lab.stop();
  }
  Object.assign(previous, measured.results);
  previous.remeasured = { ...previous.remeasured, [name]: new Date().toISOString() };
  previous.settings = { ...previous.settings, ...measured.settings };
  previous.goals = goals(previous);
  const markdown = renderMarkdown(previous);
  writeFileSync(path, `${JSON.stringify(previous, null, 2)}\n`);
  const perf = join(ROOT, 'docs', 'performance.md');
  // The history-at-scale section is bench:scale's: kept as it was.
  writeFileSync(perf, withScaleSection(markdown, undefined, existsSync(perf) ? readFileSync(perf, 'utf8') : ''));
  console.log(`\n${markdown}`);
  say(`merged the ${name} section into bench/results.json and docs/performance.md`);
}

async function main(): Promise<void> {
  if (process.env.BENCH_ONLY) return onlySection(process.env.BENCH_ONLY);
  say('starting the lab');
  const lab = await startLab();
  say(`lab ${lab.id} up (${lab.mode} mode)`);
  const watcher = watchNeighbours(lab.id);
  let partial: Awaited<ReturnType<typeof bench>>;
  let neighbours: Neighbours;
  try {
    partial = await bench(lab, watcher.phase);
  } finally {
    neighbours = watcher.stop();
    if (neighbours.otherLabs.length > 0)
      say(`other labs ran during phases ${neighbours.disturbedPhases.join(', ')} (${neighbours.otherLabs.join(', ')}): their timings are disturbed`);
    say('stopping the lab');
    await lab.stop();
  }
  const results: BenchResults = {
    generatedAt: new Date().toISOString(),
    durationSeconds: (performance.now() - started) / 1000,
    ...partial,
    neighbours,
    goals: [],
  };
  results.goals = goals(results);
  const markdown = renderMarkdown(results);
  writeFileSync(join(ROOT, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  mkdirSync(join(ROOT, 'docs'), { recursive: true });
  const perf = join(ROOT, 'docs', 'performance.md');
  // The history-at-scale section is bench:scale's: kept as it was, then rewritten below unless BENCH_SCALE=0.
  writeFileSync(perf, withScaleSection(markdown, undefined, existsSync(perf) ? readFileSync(perf, 'utf8') : ''));
  console.log(`\n${markdown}`);
  say('wrote bench/results.json and docs/performance.md');
  if (process.env.BENCH_SCALE !== '0') {
    say('history at scale (npm run bench:scale; BENCH_SCALE=0 skips it)');
    await runScaleBench(say);
  }
}

main().catch((err: unknown) => {
  console.error(`bench failed after ${elapsed()}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});
