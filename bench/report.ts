/**
 * Turns the bench's results into the markdown of docs/performance.md: one
 * table per measurement with ratios next to the figures, and the goals with
 * PASS or MISS. Every sentence is built from the results; nothing here
 * claims what was not measured.
 */
import type { PackResult, TransferResult } from './daily-methods';
import { day2ScaleGoal, day2ScaleSection, type Day2ScaleResult } from './day2-scale';
import type { EngineResult } from './engine-runs';
import type { IdleResult } from './idle-cost';
import { mb, sec, table, x } from './markdown';
import { relayGoals, relaySection } from './relay-report';
import type { RelayResult } from './relay-throughput';
import type { Neighbours } from './neighbours';
import type { MutationSummary } from './tree-gen';

/** One hand-made method's figures. */
export interface MethodResult {
  key: string;
  label: string;
  format: 'original' | 'archive' | 'snapshot';
  compressor?: string;
  day1: TransferResult;
  day2: TransferResult;
  packSeconds: number;
  verifySeconds: number;
}

/** Everything one bench run measured (bench/results.json). */
export interface BenchResults {
  generatedAt: string;
  /** Sections measured again alone (BENCH_ONLY) after generatedAt: section name to when. */
  remeasured?: Record<string, string>;
  durationSeconds: number;
  machine: {
    cpus: number;
    cpuModel: string;
    node: string;
    kernel: string;
    labMode: string;
    rsync: string;
    openssh: string;
    rsyncCompression: string;
    compressors: Record<string, boolean>;
  };
  settings: {
    relayMiB: number;
    relayRounds: number;
    innerCipher: string;
    treeSeed: number;
    treeMinMB: number;
    idleSeconds: number;
    idleSettleSeconds: number;
    idleHistoryRuns: number;
    scaleSmallMB?: number;
    scaleLargeMB?: number;
    scaleRounds?: number;
  };
  tree: { files: number; dirs: number; bytes: number; byKind: Record<string, { files: number; bytes: number }>; day2: MutationSummary };
  relay: RelayResult[];
  packs: (PackResult | { key: string; command: string; missing: true })[];
  methods: MethodResult[];
  engine: { results: EngineResult[] };
  idle: IdleResult[];
  /** The day-2 run with the same change over a small and a large store (section 6). */
  day2Scale?: Day2ScaleResult;
  neighbours: Neighbours;
  goals: Goal[];
}

/** One goal of the issue, with what was measured against it. */
export interface Goal {
  name: string;
  target: string;
  measured: string;
  pass: boolean;
}

/** End-to-end seconds of a hand-made method (pack + transfer + verify). */
export function methodTotal(m: MethodResult): number {
  return m.packSeconds + m.day2.seconds + m.verifySeconds;
}

/** End-to-end seconds of an engine run (its pack + transfer + verify steps). */
export function engineTotal(e: EngineResult): number {
  return (e.packSeconds ?? 0) + (e.transferSeconds ?? 0) + (e.verifySeconds ?? 0);
}

/** Works out the goals from the figures. */
export function goals(r: Omit<BenchResults, 'goals'>): Goal[] {
  const out: Goal[] = [];
  out.push(...relayGoals(r.relay));
  const original = r.methods.find((m) => m.format === 'original');
  const formats = r.methods.filter((m) => m.format !== 'original');
  if (original && formats.length > 0) {
    const bestBytes = [...formats].sort((a, b) => a.day2.bytesSent - b.day2.bytesSent)[0]!;
    const ratio = bestBytes.day2.bytesSent / original.day2.bytesSent;
    out.push({
      name: 'Day-2 bytes on the wire, best format vs original',
      target: '≤ 0.10×',
      measured: `${x(ratio)} (${bestBytes.key}: ${mb(bestBytes.day2.bytesSent)} vs ${mb(original.day2.bytesSent)} MB)`,
      pass: ratio <= 0.1,
    });
    const fastest = [...formats].sort((a, b) => methodTotal(a) - methodTotal(b))[0]!;
    const speedup = methodTotal(original) / methodTotal(fastest);
    out.push({
      name: 'Day-2 end-to-end run, fastest format by hand (commands) vs original',
      target: '≥ 5.00× faster',
      measured: `${x(speedup)} (${fastest.key}: ${sec(methodTotal(fastest))} vs ${sec(methodTotal(original))} s)`,
      pass: speedup >= 5,
    });
  }
  const engineOk = r.engine.results.filter((e) => e.ok && e.packSeconds !== undefined);
  if (original && engineOk.length > 0) {
    const fastest = [...engineOk].sort((a, b) => engineTotal(a) - engineTotal(b))[0]!;
    const speedup = methodTotal(original) / engineTotal(fastest);
    out.push({
      name: 'Day-2 end-to-end run, fastest engine format (runJob) vs original',
      target: '≥ 5.00× faster',
      measured: `${x(speedup)} (${fastest.key}: ${sec(engineTotal(fastest))} vs ${sec(methodTotal(original))} s)`,
      pass: speedup >= 5,
    });
  }
  if (r.day2Scale) out.push(day2ScaleGoal(r.day2Scale));
  for (const idle of r.idle.filter((i) => i.goal)) {
    const which = idle.goal === 'long-history' ? `, ${r.settings.idleHistoryRuns.toLocaleString('en')}-run history` : '';
    out.push({
      name: `Idle engine CPU${which}`,
      target: '< 0.01 CPU-s/min',
      measured: `${idle.cpuSecondsPerMinute.toFixed(4)} CPU-s/min`,
      pass: idle.cpuSecondsPerMinute < 0.01,
    });
    out.push({
      name: `Idle engine RSS${which}`,
      target: '< 100 MB',
      measured: `${idle.rssMB.toFixed(1)} MB (max ${idle.rssMaxMB.toFixed(1)})`,
      pass: idle.rssMaxMB < 100,
    });
  }
  return out;
}

function wireSection(r: BenchResults): string {
  const original = r.methods.find((m) => m.format === 'original')!;
  return [
    `## 2. Bytes on the wire, day 2`,
    '',
    'Real rsync runs on the source, through one Burrow relay (`ReverseTunnel`), to the destination; bytes are rsync\'s own "Total bytes sent". ' +
      'Day 1 fills the destination; day 2 is the measured one.',
    '',
    table(
      ['method', 'day-1 bytes sent (MB)', 'day-2 bytes sent (MB)', '× original', 'day-2 literal / matched (MB)', 'files sent day 2', 'day-2 rsync s'],
      r.methods.map((m) => [
        m.label,
        mb(m.day1.bytesSent),
        mb(m.day2.bytesSent),
        x(m.day2.bytesSent / original.day2.bytesSent),
        `${mb(m.day2.literalData)} / ${mb(m.day2.matchedData)}`,
        m.day2.filesTransferred,
        sec(m.day2.seconds),
      ]),
    ),
  ].join('\n');
}

function packSection(r: BenchResults): string {
  const bzip2 = r.packs.find((p): p is PackResult => p.key === 'bzip2' && !('missing' in p));
  return [
    `## 3. Pack time and size (day-2 tree, ${mb(r.tree.day2.totalBytesAfter)} MB in ${r.tree.day2.filesAfter} files)`,
    '',
    'On the source, `tar -cf - DIR | COMPRESSOR > FILE`, timed from the laptop; the tree is in the page cache for every run.',
    '',
    table(
      ['compressor', 'command', 'seconds', '× bzip2 -9 time', 'input MB/s', 'size (MB)', 'size / tree'],
      r.packs.map((p) =>
        'missing' in p
          ? [p.key, `\`${p.command}\``, 'not installed', '', '', '', '']
          : [
              p.key,
              `\`${p.command}\``,
              sec(p.seconds),
              bzip2 ? x(p.seconds / bzip2.seconds) : '',
              (r.tree.day2.totalBytesAfter / p.seconds / 1e6).toFixed(0),
              mb(p.bytes),
              x(p.bytes / r.tree.day2.totalBytesAfter),
            ],
      ),
    ),
  ].join('\n');
}

function endToEndSection(r: BenchResults): string {
  const original = r.methods.find((m) => m.format === 'original')!;
  const base = methodTotal(original);
  const rows: (string | number)[][] = [];
  for (const e of r.engine.results) {
    if (!e.ok || e.packSeconds === undefined) {
      rows.push([e.label, 'engine (runJob)', '', '', '', `failed: ${e.error ?? 'no day-2 run'}`, '', '']);
      continue;
    }
    const how = `engine (runJob${e.program ? `, packed with ${e.program}` : ''}; whole run ${sec(e.runSeconds ?? 0)} s)`;
    rows.push([
      e.label,
      how,
      sec(e.packSeconds),
      sec(e.transferSeconds ?? 0),
      sec(e.verifySeconds ?? 0),
      sec(engineTotal(e)),
      x(base / engineTotal(e)),
      e.bytesSentDay2 !== undefined ? mb(e.bytesSentDay2) : '',
    ]);
  }
  for (const m of r.methods) {
    rows.push([
      m.label,
      m.format === 'original' ? 'commands (the baseline)' : 'commands',
      sec(m.packSeconds),
      sec(m.day2.seconds),
      sec(m.verifySeconds),
      sec(methodTotal(m)),
      x(base / methodTotal(m)),
      mb(m.day2.bytesSent),
    ]);
  }
  const how =
    'The engine has the `format` job option, so each format also ran as a real `BackupRun` (`runJob` with `labConfig(lab, { format, compression, paths, ... })`, ' +
    "a day-1 run and the measured day-2 run), timed by its run record's step durations; the engine's pack also tests the archive (`<prog> -t`) and hashes it, " +
    'its snapshot transfer is `rsync -aH --numeric-ids -z --fake-super --link-dest`, and its snapshot verify is an `rsync -c -n` over every file.';
  return [
    `## 4. End-to-end daily run, day 2 (pack + transfer + verify)`,
    '',
    `${how} The original method is not something the engine does, so it is always the commands row. ` +
      'Command rows: pack = the bzip2, gzip and zstd rows of section 3 (no -T0, no integrity test; none for snapshots), transfer = the day-2 rsync of section 2 ' +
      '(wall time incl. the ssh login through the tunnel), verify = size + SHA-256 of every archive in the holding dir (snapshot: of every file) on both hosts at once.',
    '',
    table(['method', 'measured as', 'pack s', 'transfer s', 'verify s', 'total s', '× faster than original', 'day-2 bytes sent (MB)'], rows),
  ].join('\n');
}

function idleSection(r: BenchResults): string {
  const settle = Math.round(r.idle[0]?.settleSeconds ?? 0);
  return [
    `## 5. Idle cost`,
    '',
    `Child processes (each with any processes below it), measured over ${Math.round(r.idle[0]?.windowSeconds ?? r.settings.idleSeconds)} s that start about ${settle} s after each was ready ` +
      '(a daemon: once it logged its next run, i.e. the scheduler started up and armed, its only job due in about 12 hours; the 30 s scheduler tick runs in the window). ' +
      "CPU is the sum over threads of /proc/PID/task/TID/schedstat; RSS is VmRSS, sampled every second. The CPU of the settling period (V8's start-up GCs) is shown apart. " +
      `The goals are about the first two rows: the daemon as a user starts it (with the relay's heap flag), with an empty history and with a ${r.settings.idleHistoryRuns.toLocaleString('en')}-run one ` +
      "(bench/history-fixture.ts: copies of this run's day-2 engine records, written through the history store, with failed, missed and caught-up days); " +
      'the rows without the heap flag (the same bundle, its `main` imported without the launcher) show what the flag costs. ' +
      "The start-up column is the highest VmRSS from spawn to the window (sampled four times a second): start-up garbage stays until V8's next full GC, which can fall inside the window.",
    '',
    table(
      [
        'process',
        'CPU s in window',
        'CPU s/min',
        'RSS MB (end)',
        'RSS MB (max)',
        'start to "ready" s',
        'CPU s while settling',
        'RSS MB (max from spawn to the window)',
        '1-min load',
      ],
      r.idle.map((i) => [
        i.name,
        i.cpuSeconds.toFixed(4),
        i.cpuSecondsPerMinute.toFixed(4),
        i.rssMB.toFixed(1),
        i.rssMaxMB.toFixed(1),
        sec(i.startSeconds),
        `${i.settleCpuSeconds.toFixed(3)} in ${Math.round(i.settleSeconds)} s`,
        i.startRssMaxMB.toFixed(1),
        i.load1.toFixed(1),
      ]),
    ),
  ].join('\n');
}

function notes(r: BenchResults): string {
  const t = r.tree;
  const kinds = Object.entries(t.byKind)
    .map(([k, v]) => `${k} ${v.files} files / ${mb(v.bytes)} MB`)
    .join(', ');
  const d = t.day2;
  return [
    '## Notes',
    '',
    `- Machine: ${r.machine.cpus} × ${r.machine.cpuModel}, Linux ${r.machine.kernel}, Node ${r.machine.node}, ${r.machine.openssh}, ${r.machine.rsync}; lab mode \`${r.machine.labMode}\` (real sshd hosts).`,
    `- Tree (seed ${r.settings.treeSeed}): ${t.files} files in ${t.dirs} directories, ${mb(t.bytes)} MB: ${kinds}. Binary files are AES-CTR output (incompressible).`,
    `- Day 2: ${d.modified} files changed (${mb(d.bytesChanged)} MB appended or rewritten: logs grow, text gets lines inserted, binaries get bytes overwritten or appended), ${d.added} added (${mb(d.bytesAdded)} MB), ${d.removed} removed (${mb(d.bytesRemoved)} MB).`,
    "- rsync for every method: `rsync -rlptgo --stats` on the source, `-e ssh -p PORT` to 127.0.0.1 on the source, i.e. through the tunnel; archive formats add `--fuzzy` (yesterday's archive is the basis), snapshots use `--link-dest=../<yesterday>` into `DEST/<job>/<date>/`.",
    `- Compressor programs here: ${Object.entries(r.machine.compressors)
      .map(([k, v]) => `${k} ${v ? 'installed' : 'missing'}`)
      .join(', ')}. The engine picks its program itself; section 4 shows the one its run log names.`,
    `- \`-z\`: both ends run the same rsync, whose compression list starts with \`${r.machine.rsyncCompression}\`, so that is what \`-z\` negotiated.`,
    '- The ssh inside the tunnel still encrypts; section 1 compares the relay hop only (same inner ssh, same hosts, same bytes).',
    r.neighbours.otherLabs.length > 0
      ? `- **Other Burrow labs (${r.neighbours.otherLabs.join(', ')}) were running on this machine during measurement phase(s) ${r.neighbours.disturbedPhases.join(', ')}** ` +
        `(highest 1-min load ${r.neighbours.maxLoad1.toFixed(1)} on ${r.machine.cpus} CPUs): timings of those phases are disturbed; bytes are not.`
      : `- Nothing else Burrow-related ran during the bench (no other lab seen in ${r.neighbours.samples} samples; highest 1-min load ${r.neighbours.maxLoad1.toFixed(1)} on ${r.machine.cpus} CPUs).`,
    `- This run took ${Math.round(r.durationSeconds)} s in all (one lab, started once).`,
  ].join('\n');
}

/** docs/performance.md. */
export function renderMarkdown(r: BenchResults): string {
  return [
    '# Performance',
    '',
    `Generated by \`npm run bench\` (bench/run-bench.ts) on ${r.generatedAt}; do not edit by hand. Raw figures: \`bench/results.json\`.`,
    ...Object.entries(r.remeasured ?? {}).map(([name, at]) => `The ${name} section was measured again alone (\`BENCH_ONLY=${name}\`) on ${at}.`),
    '',
    '## Goals',
    '',
    table(
      ['goal', 'target', 'measured', 'result'],
      r.goals.map((g) => [g.name, g.target, g.measured, g.pass ? 'PASS' : 'MISS']),
    ),
    '',
    relaySection(r.relay, r.settings),
    '',
    wireSection(r),
    '',
    packSection(r),
    '',
    endToEndSection(r),
    '',
    idleSection(r),
    '',
    ...(r.day2Scale ? [day2ScaleSection(r.day2Scale), ''] : []),
    notes(r),
    '',
  ].join('\n');
}
