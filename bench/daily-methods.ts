/**
 * Measurements 2-4 by hand, with the commands each method boils down to:
 * pack on the source (tar | compressor), rsync on the source through the
 * tunnel to the destination (bytes from rsync's own `--stats`), and verify
 * (size and SHA-256 on both sides at once, as Burrow's verify step does).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab } from '../electron/lab/lab';
import { sh, type SourceLogin } from './hops';

/** A compressor as the bench runs it. */
export interface Compressor {
  key: string;
  /** The command line, as shown in the table. */
  argv: string[];
  ext: string;
  /** Uses every core. */
  parallel: boolean;
}

/** The compressors of measurement 3; the first three also make the archives of measurement 2. */
export const COMPRESSORS: Compressor[] = [
  { key: 'bzip2', argv: ['bzip2', '-9'], ext: 'bz2', parallel: false },
  { key: 'gzip', argv: ['gzip', '-6', '--rsyncable'], ext: 'gz', parallel: false },
  { key: 'zstd', argv: ['zstd', '-3', '-q', '--rsyncable'], ext: 'zst', parallel: false },
  { key: 'lbzip2', argv: ['lbzip2', '-9'], ext: 'bz2', parallel: true },
  { key: 'pigz', argv: ['pigz', '-6', '--rsyncable'], ext: 'gz', parallel: true },
  { key: 'zstd-T0', argv: ['zstd', '-3', '-q', '-T0', '--rsyncable'], ext: 'zst', parallel: true },
];

/** Whether a program is installed (the lab hosts share the laptop's /usr). */
export function installed(program: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', program], { stdio: 'ignore' }).status === 0;
}

/** One way of doing the daily backup. */
export interface DailyMethod {
  key: string;
  label: string;
  format: 'original' | 'archive' | 'snapshot';
  /** COMPRESSORS key (archive formats). */
  compressor?: string;
  rsyncFlags: string[];
}

/** The methods compared in measurements 2 and 4, the original first. */
export const METHODS: DailyMethod[] = [
  { key: 'original', label: 'original: new DIR.YYYYMMDD.tar.bz2, rsync -rlptgo', format: 'original', compressor: 'bzip2', rsyncFlags: [] },
  { key: 'archive-gzip', label: 'archive, gzip --rsyncable, rsync --fuzzy', format: 'archive', compressor: 'gzip', rsyncFlags: ['--fuzzy'] },
  { key: 'archive-zstd', label: 'archive, zstd --rsyncable, rsync --fuzzy', format: 'archive', compressor: 'zstd', rsyncFlags: ['--fuzzy'] },
  { key: 'archive-bzip2', label: 'archive, bzip2 (reference), rsync --fuzzy', format: 'archive', compressor: 'bzip2', rsyncFlags: ['--fuzzy'] },
  { key: 'snapshot', label: 'snapshot, rsync --link-dest', format: 'snapshot', rsyncFlags: [] },
  { key: 'snapshot-z', label: 'snapshot, rsync --link-dest -z', format: 'snapshot', rsyncFlags: ['-z'] },
];

/** What rsync's --stats said, and how long the rsync took (wall, from the laptop). */
export interface TransferResult {
  bytesSent: number;
  bytesReceived: number;
  literalData: number;
  matchedData: number;
  filesTransferred: number;
  totalFileSize: number;
  seconds: number;
}

/** One pack of the tree. */
export interface PackResult {
  key: string;
  command: string;
  seconds: number;
  bytes: number;
}

const STATS: Record<string, keyof Omit<TransferResult, 'seconds'>> = {
  'Total bytes sent': 'bytesSent',
  'Total bytes received': 'bytesReceived',
  'Literal data': 'literalData',
  'Matched data': 'matchedData',
  'Number of regular files transferred': 'filesTransferred',
  'Total file size': 'totalFileSize',
};

/** Reads rsync's `--stats` block. */
export function parseRsyncStats(stdout: string, seconds: number): TransferResult {
  const out: TransferResult = { bytesSent: NaN, bytesReceived: NaN, literalData: NaN, matchedData: NaN, filesTransferred: NaN, totalFileSize: NaN, seconds };
  for (const m of stdout.matchAll(/^([A-Za-z ]+): ([\d,]+)/gm)) {
    const key = STATS[m[1]!];
    if (key) out[key] = Number(m[2]!.replaceAll(',', ''));
  }
  if (Number.isNaN(out.bytesSent)) throw new Error(`rsync printed no --stats:\n${stdout.slice(-1000)}`);
  return out;
}

const PACK = 'parent=$1 base=$2 out=$3; shift 3; tar -C "$parent" -cf - -- "$base" | "$@" > "$out"; wc -c < "$out"';
const SUMS = 'cd -- "$1" && for f in *; do [ -f "$f" ] && printf "%s %s %s\\n" "$f" "$(wc -c < "$f")" "$(sha256sum < "$f" | cut -d" " -f1)"; done; true';
const TREE_SUM = 'cd -- "$1" && find "$2" -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum';

/** Where everything lives, on which host. */
export interface Layout {
  /** The tree on the source: parent dir and base name. */
  treeParent: string;
  treeBase: string;
  /** On the source: one holding dir per compressor below it. */
  holding: string;
  /** On the destination: one dir per method below it. */
  dest: string;
  stamps: [string, string];
}

/** Runs the packs, transfers and verifies of the hand-made methods on one lab and one tunnel port. */
export class DailyBench {
  constructor(
    private readonly lab: Lab,
    private readonly login: SourceLogin,
    private readonly port: number,
    readonly layout: Layout,
  ) {}

  /** Creates the holding and destination dirs, owned by the hosts' users. */
  async prepare(): Promise<void> {
    const { holding, dest } = this.layout;
    for (const c of COMPRESSORS) mkdirSync(join(holding, c.key), { recursive: true });
    for (const m of METHODS) mkdirSync(join(dest, m.key, m.format === 'snapshot' ? 'daily' : ''), { recursive: true });
    await this.lab.source.own(holding);
    await this.lab.destination.own(dest);
  }

  archiveName(c: Compressor, day: 1 | 2): string {
    return `${this.layout.treeBase}.${this.layout.stamps[day - 1]}.tar.${c.ext}`;
  }

  /** Packs the tree as it is now; `keep` false removes the archive again (pack-time only). */
  async pack(c: Compressor, day: 1 | 2, keep = true): Promise<PackResult> {
    const out = join(this.layout.holding, c.key, this.archiveName(c, day));
    const started = performance.now();
    const r = await sh(this.lab.source, PACK, [this.layout.treeParent, this.layout.treeBase, out, ...c.argv], 600_000);
    const seconds = (performance.now() - started) / 1000;
    if (!keep) await sh(this.lab.source, 'rm -f -- "$1"', [out]);
    return { key: c.key, command: `tar -cf - DIR | ${c.argv.join(' ')}`, seconds, bytes: Number(r.stdout.trim()) };
  }

  /** rsync of `method` for `day`, through the tunnel. */
  async transfer(m: DailyMethod, day: 1 | 2): Promise<TransferResult> {
    const { layout, login } = this;
    const target = `${login.target}:${join(layout.dest, m.key)}`;
    const common = ['rsync', '-rlptgo', ...m.rsyncFlags, '--stats', '-e', login.command(this.port)];
    const argv =
      m.format === 'snapshot'
        ? [
            ...common,
            ...(day === 2 ? [`--link-dest=../${layout.stamps[0]}`] : []),
            '--',
            join(layout.treeParent, layout.treeBase),
            `${target}/daily/${layout.stamps[day - 1]}/`,
          ]
        : [...common, '--', `${join(layout.holding, m.compressor!)}/`, `${target}/`];
    const started = performance.now();
    const r = await sh(this.lab.source, '"$@"', argv, 600_000);
    return parseRsyncStats(r.stdout, (performance.now() - started) / 1000);
  }

  /** Checks that `method` arrived, both sides at once; returns the seconds it took. */
  async verify(m: DailyMethod): Promise<number> {
    const { layout, lab } = this;
    const started = performance.now();
    const [src, dst] =
      m.format === 'snapshot'
        ? await Promise.all([
            sh(lab.source, TREE_SUM, [layout.treeParent, layout.treeBase]),
            sh(lab.destination, TREE_SUM, [join(layout.dest, m.key, 'daily', layout.stamps[1]), layout.treeBase]),
          ])
        : await Promise.all([sh(lab.source, SUMS, [join(layout.holding, m.compressor!)]), sh(lab.destination, SUMS, [join(layout.dest, m.key)])]);
    const seconds = (performance.now() - started) / 1000;
    if (src.stdout !== dst.stdout || src.stdout.trim() === '') {
      throw new Error(`${m.key}: the destination does not match the source:\nsource:\n${src.stdout}\ndestination:\n${dst.stdout}`);
    }
    return seconds;
  }
}
