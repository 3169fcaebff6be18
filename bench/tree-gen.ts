/**
 * A deterministic test tree for the benchmark: source-like text, logs,
 * small configs and incompressible binaries in nested directories, and a
 * "day 2" made from it by appending to and editing some files, adding some
 * and removing some. Everything follows from the seed, so two runs of the
 * bench pack and send the same bytes.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { prng } from '../test/fixtures/prng';

/** What a file holds; decides its content and how day 2 changes it. */
export type FileKind = 'text' | 'config' | 'log' | 'binary';

/** One file of the tree. */
export interface TreeFile {
  /** Path relative to the tree root. */
  path: string;
  kind: FileKind;
  size: number;
}

/** The day-2 changes, for the report. */
export interface MutationSummary {
  filesBefore: number;
  filesAfter: number;
  modified: number;
  added: number;
  removed: number;
  /** Bytes appended or rewritten in modified files. */
  bytesChanged: number;
  bytesAdded: number;
  bytesRemoved: number;
  totalBytesAfter: number;
}

/** Incompressible bytes from AES-128-CTR keyed by the seed (fast and deterministic). */
export function noise(n: number, seed: string): Buffer {
  const key = createHash('sha256').update(`key:${seed}`).digest().subarray(0, 16);
  const iv = createHash('sha256').update(`iv:${seed}`).digest().subarray(0, 16);
  return createCipheriv('aes-128-ctr', key, iv).update(Buffer.alloc(n));
}

const WORDS = (
  'the of and to in is for on that with as by this be are from at or an it not value return if else ' +
  'const let var function class public private static void int char struct while for break continue ' +
  'buffer length index count result error status config options handler request response client server ' +
  'session tunnel archive backup source destination holding path file name size offset read write open ' +
  'close flush sync lock unlock retry timeout signal parse format encode decode hash digest key value ' +
  'list map set get put delete update insert select where order group limit begin commit rollback'
).split(' ');
const PUNCT = ['(', ')', ';', ' = ', ', ', ' + ', ' { ', ' }', '.', ' -> ', ' == ', ' != ', '[i]', ' && '];
const LOG_TEMPLATES = [
  (r: () => number) => `sshd[${pid(r)}]: Accepted publickey for backup from 10.${n(r, 255)}.${n(r, 255)}.${n(r, 255)} port ${40000 + n(r, 20000)} ssh2`,
  (r: () => number) => `cron[${pid(r)}]: (root) CMD (/usr/local/bin/packitup.sh /var/cvs_repository)`,
  (r: () => number) => `kernel: [${n(r, 99999)}.${n(r, 999999)}] eth0: link up, 1000Mbps, full-duplex`,
  (r: () => number) => `app[${pid(r)}]: GET /api/v1/items/${n(r, 100000)} 200 ${n(r, 5000)}ms user=${WORDS[n(r, WORDS.length)]}`,
  (r: () => number) => `app[${pid(r)}]: WARN retry ${n(r, 5)} of request ${n(r, 1e9).toString(16)} after timeout`,
  (r: () => number) => `postgres[${pid(r)}]: LOG:  checkpoint complete: wrote ${n(r, 9999)} buffers (${n(r, 100)}.${n(r, 9)}%)`,
];

function n(r: () => number, max: number): number {
  return Math.floor(r() * max);
}
function pid(r: () => number): number {
  return 1000 + n(r, 30000);
}

/** Source-like text of about `size` bytes. */
function textContent(size: number, r: () => number): Buffer {
  const lines: string[] = [];
  let len = 0;
  while (len < size) {
    const indent = '  '.repeat(n(r, 4));
    const parts: string[] = [indent];
    const words = 3 + n(r, 9);
    for (let i = 0; i < words; i++) parts.push(WORDS[n(r, WORDS.length)]!, PUNCT[n(r, PUNCT.length)]!);
    const line = parts.join('');
    lines.push(line);
    len += line.length + 1;
  }
  return Buffer.from(lines.join('\n') + '\n').subarray(0, size);
}

/** Syslog-like lines starting at `startMs`, about `size` bytes. */
function logContent(size: number, r: () => number, startMs: number): Buffer {
  const lines: string[] = [];
  let len = 0;
  let t = startMs;
  while (len < size) {
    t += n(r, 4000);
    const line = `${new Date(t).toISOString()} host${n(r, 8)} ${LOG_TEMPLATES[n(r, LOG_TEMPLATES.length)]!(r)}`;
    lines.push(line);
    len += line.length + 1;
  }
  return Buffer.from(lines.join('\n') + '\n');
}

function configContent(size: number, r: () => number): Buffer {
  const lines: string[] = [];
  let len = 0;
  while (len < size) {
    const line = `${WORDS[n(r, WORDS.length)]}_${WORDS[n(r, WORDS.length)]} = ${n(r, 2) ? n(r, 65536) : WORDS[n(r, WORDS.length)]}`;
    lines.push(line);
    len += line.length + 1;
  }
  return Buffer.from(lines.join('\n') + '\n');
}

/** Log-uniform integer in [lo, hi]. */
function logUniform(r: () => number, lo: number, hi: number): number {
  return Math.round(Math.exp(Math.log(lo) + r() * (Math.log(hi) - Math.log(lo))));
}

const EXT: Record<FileKind, string[]> = {
  text: ['c', 'h', 'ts', 'py', 'sql', 'txt'],
  config: ['conf', 'ini', 'yml'],
  log: ['log'],
  binary: ['bin', 'jpg', 'gz', 'db'],
};
const TOP: Record<FileKind, string> = { text: 'src', config: 'etc', log: 'logs', binary: 'assets' };

/** Picks a kind and a size the way the whole tree is made. */
function drawFile(r: () => number, serial: number): TreeFile {
  const x = r();
  const kind: FileKind = x < 0.6 ? 'text' : x < 0.8 ? 'config' : x < 0.92 ? 'log' : 'binary';
  const size =
    kind === 'text'
      ? logUniform(r, 1024, 512 * 1024)
      : kind === 'config'
        ? logUniform(r, 200, 8 * 1024)
        : kind === 'log'
          ? logUniform(r, 64 * 1024, 4 * 1024 * 1024)
          : logUniform(r, 16 * 1024, 4 * 1024 * 1024);
  const depth = 1 + n(r, 3);
  const dirs = [TOP[kind]];
  for (let d = 0; d < depth; d++) dirs.push(`${WORDS[n(r, WORDS.length)]}${n(r, 6)}`);
  const ext = EXT[kind][n(r, EXT[kind].length)]!;
  return { path: `${dirs.join('/')}/${WORDS[n(r, WORDS.length)]}-${serial}.${ext}`, kind, size };
}

function contentOf(f: TreeFile, seed: number, serial: number): Buffer {
  const r = prng(seed * 7919 + serial);
  switch (f.kind) {
    case 'text':
      return textContent(f.size, r);
    case 'config':
      return configContent(f.size, r);
    case 'log':
      return logContent(f.size, r, Date.UTC(2026, 9, 1) + serial * 3_600_000);
    case 'binary':
      return noise(f.size, `${seed}:${serial}`);
  }
}

/** The directories (relative, "." for the root) that hold the files. */
function dirsOf(files: TreeFile[]): Set<string> {
  const dirs = new Set<string>(['.']);
  for (const f of files) for (let d = dirname(f.path); d !== '.'; d = dirname(d)) dirs.add(d);
  return dirs;
}

/** Every file and directory below root gets this mtime (so tar output depends on content only). */
function stampTimes(root: string, files: TreeFile[], when: Date): void {
  for (const f of files) utimesSync(join(root, f.path), when, when);
  for (const d of dirsOf(files)) utimesSync(join(root, d), when, when);
}

/** Draws file number `serial` and writes it below `root`; its size is set from what was written. */
function writeNewFile(root: string, r: () => number, seed: number, serial: number): TreeFile {
  const f = drawFile(r, serial);
  const data = contentOf(f, seed, serial);
  f.size = data.length;
  mkdirSync(dirname(join(root, f.path)), { recursive: true });
  writeFileSync(join(root, f.path), data);
  return f;
}

/**
 * Writes a tree of at least `minBytes` into `root` (which is emptied first).
 * Returns its files; all of them carry the mtime `when`.
 */
export function generateTree(root: string, seed: number, minBytes: number, when: Date): TreeFile[] {
  rmSync(root, { recursive: true, force: true });
  const r = prng(seed);
  const files: TreeFile[] = [];
  let total = 0;
  for (let serial = 0; total < minBytes && serial < 100_000; serial++) {
    const f = writeNewFile(root, r, seed, serial);
    files.push(f);
    total += f.size;
  }
  stampTimes(root, files, when);
  return files;
}

/**
 * Day 2: about `modifyShare` of the files change a little (logs grow by a
 * few KB; text gets a few KB rewritten and inserted in the middle; binaries
 * get a few KB overwritten in place or appended), `add` new files drawn like
 * the others, `remove` files deleted. Changed and new files get `when` as
 * mtime, and so do directories that gained or lost an entry; the others keep
 * `base`. Returns the new file list and what changed.
 */
export function mutateTree(
  root: string,
  files: TreeFile[],
  seed: number,
  opts: { modifyShare: number; add: number; remove: number; when: Date; base: Date },
): { files: TreeFile[]; summary: MutationSummary } {
  const r = prng(seed ^ 0x5eed);
  const summary: MutationSummary = {
    filesBefore: files.length,
    filesAfter: 0,
    modified: 0,
    added: 0,
    removed: 0,
    bytesChanged: 0,
    bytesAdded: 0,
    bytesRemoved: 0,
    totalBytesAfter: 0,
  };
  const order = files.map((_, i) => i);
  const dirsBefore = dirsOf(files);
  // Fisher-Yates with the seeded PRNG: which files are removed, which modified.
  for (let i = order.length - 1; i > 0; i--) {
    const j = n(r, i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const removed = new Set(order.slice(0, opts.remove));
  const modified = order.slice(opts.remove, opts.remove + Math.round(files.length * opts.modifyShare));
  for (const i of removed) {
    const f = files[i]!;
    rmSync(join(root, f.path));
    summary.removed++;
    summary.bytesRemoved += f.size;
  }
  const touched: TreeFile[] = [];
  for (const i of modified) {
    const f = files[i]!;
    const path = join(root, f.path);
    const old = readFileSync(path);
    const change = 1024 + n(r, 7 * 1024);
    let next: Buffer;
    if (f.kind === 'log') next = Buffer.concat([old, logContent(change, r, Date.UTC(2026, 10, 27))]);
    else if (f.kind === 'binary' && r() < 0.5) {
      next = Buffer.from(old);
      noise(change, `${seed}:edit:${i}`).copy(next, n(r, Math.max(1, old.length - change)));
    } else if (f.kind === 'binary') next = Buffer.concat([old, noise(change, `${seed}:tail:${i}`)]);
    else {
      const at = n(r, old.length);
      const cut = Math.min(old.length - at, n(r, change));
      const fresh = f.kind === 'text' ? textContent(change, r) : configContent(change, r);
      next = Buffer.concat([old.subarray(0, at), fresh, old.subarray(at + cut)]);
    }
    writeFileSync(path, next);
    f.size = next.length;
    summary.modified++;
    summary.bytesChanged += change;
    touched.push(f);
  }
  const kept = files.filter((_, i) => !removed.has(i));
  for (let k = 0; k < opts.add; k++) {
    const serial = 1_000_000 + k;
    const f = writeNewFile(root, r, seed, serial);
    kept.push(f);
    touched.push(f);
    summary.added++;
    summary.bytesAdded += f.size;
  }
  for (const f of touched) utimesSync(join(root, f.path), opts.when, opts.when);
  // Directories keep day 1's time unless an entry was added or removed in them.
  const changedDirs = new Set<string>();
  for (const f of [...[...removed].map((i) => files[i]!), ...kept.slice(kept.length - summary.added)]) {
    for (let d = dirname(f.path); ; d = dirname(d)) {
      changedDirs.add(d);
      if (dirsBefore.has(d) || d === '.') break;
    }
  }
  for (const d of dirsOf(kept)) utimesSync(join(root, d), changedDirs.has(d) ? opts.when : opts.base, changedDirs.has(d) ? opts.when : opts.base);
  summary.filesAfter = kept.length;
  summary.totalBytesAfter = kept.reduce((s, f) => s + statSync(join(root, f.path)).size, 0);
  return { files: kept, summary };
}
