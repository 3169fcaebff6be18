/**
 * Restoring from archives: a whole archive file (downloaded to the laptop
 * over SFTP, or pulled onto the source through the tunnel, optionally
 * unpacked), or files and folders of a day. Each archive is first checked
 * against the SHA-256 recorded when it was sent; then the destination
 * unpacks just what was asked into a temporary directory and streams it to
 * the laptop, or the source unpacks it from a pulled copy in the run's
 * temporary directory (removed by teardown). Never over existing files
 * unless asked.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { link, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { BackupEntryView } from '../../../../shared/api-contract';
import { parseArchiveName } from '../../../../shared/archive-names';
import { BurrowError } from '../../errors';
import { prepareRestoreOnSource, rsyncOntoSource } from '../../restore-on-source';
import type { RunContext } from '../../run-context';
import { shScript } from '../../shell-quote';
import { lastLine, type SshSession } from '../../ssh/ssh-session';
import { openDestination } from '../../steps/connect';
import { throughTunnel } from '../../tunnel-rsync';
import type { Restored, RestoreOptions, StoredRecords } from '../storage-format';
import { refuseExistingOnLaptop, unpackOnLaptop } from '../to-laptop';
import { checkBackupPath } from '../tree';
import { archiveEntries, dayArchives } from './listing';

/** `etc.20261126.tar.bz2` in `/srv` unpacks into `/srv/etc.20261126` (or `/srv` in place). */
export function extractTarget(dir: string, archive: string, inPlace: boolean): string {
  const p = parseArchiveName(archive)!;
  return inPlace ? dir : join(dir, `${p.base}.${p.stamp}`);
}

const EXTRACT_SCRIPT = 'if [ "$3" = fresh ]; then mkdir -- "$2" || exit 17; else mkdir -p -- "$2"; fi; tar -xf "$1" -C "$2"';
const SHA_SCRIPT = '[ -f "$1" ] && sha256sum < "$1" | cut -d" " -f1';

/** One whole archive file, to the laptop or the source, optionally unpacked into a new directory. */
export async function restoreWholeArchive(ctx: RunContext, records: StoredRecords, opts: RestoreOptions): Promise<Restored> {
  const { job } = ctx;
  const name = opts.backup;
  const expected = records.recordedSums(job.name).get(name);
  const extract = opts.extract === true || opts.inPlace === true;
  let got: { path: string; sha256: string };
  let extractedTo: string | undefined;
  if (opts.toLaptop) {
    got = await downloadToLaptop(ctx, await openDestination(ctx), name, opts.toLaptop, expected);
    if (extract) {
      extractedTo = extractTarget(opts.toLaptop, name, opts.inPlace === true);
      await runLocal('sh', ['-c', EXTRACT_SCRIPT, 'sh', got.path, extractedTo, opts.inPlace ? 'in-place' : 'fresh'], `unpacking into ${extractedTo}`);
    }
  } else if (opts.toSource) {
    got = await sendToSource(ctx, name, opts.toSource, expected);
    if (extract) {
      extractedTo = extractTarget(opts.toSource, name, opts.inPlace === true);
      const argv = shScript(EXTRACT_SCRIPT, [got.path, extractedTo, opts.inPlace ? 'in-place' : 'fresh']);
      await ctx.source!.run(job.sudo ? ['sudo', '-n', ...argv] : argv, `unpacking into ${extractedTo} (it must not exist yet)`);
    }
  } else throw new BurrowError('config', 'say where to restore: --to-laptop DIR or --to-source DIR');
  return { path: got.path, paths: [name], files: 1, bytes: 0, checked: expected ? 1 : 0, sha256: got.sha256, ...(extractedTo ? { extractedTo } : {}) };
}

function runLocal(cmd: string, args: string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, (err, _out, stderr) => {
      if (err) reject(new BurrowError('remote-command', `${what} failed: ${lastLine(String(stderr)) || err.message}`));
      else resolve();
    });
  });
}

async function downloadToLaptop(ctx: RunContext, dest: SshSession, name: string, dir: string, expected?: string): Promise<{ path: string; sha256: string }> {
  await mkdir(dir, { recursive: true });
  const final = join(dir, name);
  const partial = join(dir, `.${name}.partial`);
  const sftp = await new Promise<import('ssh2').SFTPWrapper>((resolve, reject) => dest.client.sftp((err, s) => (err ? reject(err) : resolve(s))));
  const hash = createHash('sha256');
  try {
    const from = sftp.createReadStream(`${ctx.job.destination.path}/${name}`);
    from.on('data', (b: Buffer) => hash.update(b));
    await pipeline(from, createWriteStream(partial, { flags: 'wx', mode: 0o600 }));
  } catch (err) {
    await rm(partial, { force: true });
    throw new BurrowError('remote-command', `downloading ${name} from ${ctx.job.destination.host} failed: ${(err as Error).message}`);
  } finally {
    sftp.end();
  }
  const sha256 = hash.digest('hex');
  if (expected && expected !== sha256) {
    await rm(partial, { force: true });
    throw new BurrowError('verify-mismatch', `${name} downloaded with SHA-256 ${sha256}, but ${expected} was recorded at transfer: not restored`);
  }
  try {
    await link(partial, final); // fails if `final` exists: never overwrite
  } finally {
    await rm(partial, { force: true });
  }
  return { path: final, sha256 };
}

/** Pulls `name` onto the source through the tunnel into `dir` (which must not hold it yet) and checks its SHA-256. */
async function sendToSource(ctx: RunContext, name: string, dir: string, expected?: string, inPlace = false): Promise<{ path: string; sha256: string }> {
  const into = dir.replace(/\/+$/, '');
  const target = `${into}/${name}`;
  const rsh = await prepareRestoreOnSource(ctx, into, [name], inPlace);
  await rsyncOntoSource(ctx, ['rsync', '-t', '--mkpath', '-e', rsh, '--', throughTunnel(ctx, `${ctx.job.destination.path}/${name}`), `${into}/`], name);
  const sum = lastLine((await ctx.source!.run(shScript(SHA_SCRIPT, [target]), 'checksumming the restored archive')).stdout);
  if (expected && sum !== expected)
    throw new BurrowError('verify-mismatch', `${target} on ${ctx.job.source} has SHA-256 ${sum}, but ${expected} was recorded at transfer`);
  return { path: target, sha256: sum };
}

/**
 * Unpacks the members named on standard input (NUL-separated) of archive
 * "$1" into a temporary directory and writes them as a tar stream.
 */
const STAGE_AND_TAR = `set -e
t=$(mktemp -d "\${TMPDIR:-/tmp}/burrow-restore.XXXXXXXX")
trap 'rm -rf -- "$t"' EXIT
trap 'exit 130' INT TERM HUP PIPE
tar -xpf "$1" -C "$t" --no-same-owner --null -T - >&2
tar -cf - -C "$t" .`;
/** Unpacks the members named on standard input from archive "$1" into "$2" ("$3": overwrite or keep). */
const UNPACK_SCRIPT =
  'mkdir -p -- "$2" && if [ "$3" = overwrite ]; then k="--overwrite --no-overwrite-dir"; else k=--keep-old-files; fi && tar -xpf "$1" -C "$2" $k --null -T -';

/** Files and folders of a day: each from the archive of its top directory, after that archive's checksum matched. */
export async function restoreArchivePaths(ctx: RunContext, records: StoredRecords, opts: RestoreOptions): Promise<Restored> {
  const { day, archives } = await dayArchives(ctx, opts.backup);
  const paths = opts.paths?.length ? opts.paths.map(checkBackupPath) : archives.map((a) => a.base);
  const byArchive = new Map<string, string[]>();
  for (const p of paths) {
    const top = p.split('/')[0]!;
    const a = archives.find((x) => x.base === top);
    if (!a) throw new BurrowError('config', `${day} holds no ${top} (its archives: ${archives.map((x) => x.name).join(', ')})`);
    byArchive.set(a.name, [...(byArchive.get(a.name) ?? []), p]);
  }
  const sums = records.recordedSums(ctx.job.name);
  const dest = await openDestination(ctx);
  let files = 0;
  let bytes = 0;
  let checked = 0;
  const inPlace = opts.inPlace === true;
  const chosen = new Map<string, BackupEntryView[]>();
  for (const [name, wanted] of byArchive) {
    const entries = await archiveEntries(ctx, records, name, archives.find((a) => a.name === name)!.size);
    for (const p of wanted)
      if (!entries.some((e) => e.path === p)) throw new BurrowError('config', `${name} holds no ${p} (see burrow ls ${ctx.job.name} ${day})`);
    const mine = entries.filter((e) => e.type === 'file' && wanted.some((p) => e.path === p || e.path.startsWith(`${p}/`)));
    chosen.set(name, mine);
    files += mine.length;
    bytes += mine.reduce((n, e) => n + e.size, 0);
    if (sums.has(name)) checked += mine.length;
  }
  if (opts.toLaptop) {
    const dir = opts.toLaptop.replace(/\/+$/, '') || '/';
    await refuseExistingOnLaptop(dir, paths, inPlace);
    for (const [name, wanted] of byArchive) {
      const expected = sums.get(name);
      if (expected) {
        const sum = lastLine((await dest.run(shScript(SHA_SCRIPT, [`${ctx.job.destination.path}/${name}`]), `checksumming ${name}`)).stdout);
        if (sum !== expected)
          throw new BurrowError('verify-mismatch', `${name} has SHA-256 ${sum} at the destination, but ${expected} was recorded at transfer: nothing restored`);
      }
      await unpackOnLaptop(
        dest,
        shScript(STAGE_AND_TAR, [`${ctx.job.destination.path}/${name}`]),
        wanted.map((p) => `${p}\0`).join(''),
        dir,
        inPlace,
        `unpacking ${name}`,
      );
    }
    return { path: dir, paths, files, bytes, checked };
  }
  if (opts.toSource) {
    const dir = opts.toSource.replace(/\/+$/, '') || '/';
    const rsh = await prepareRestoreOnSource(ctx, dir, paths, inPlace);
    for (const [name, wanted] of byArchive) {
      const copy = `${ctx.sourceTmp}/${name}`;
      await rsyncOntoSource(ctx, ['rsync', '-t', '-e', rsh, '--', throughTunnel(ctx, `${ctx.job.destination.path}/${name}`), `${ctx.sourceTmp}/`], name);
      const expected = sums.get(name);
      const sum = lastLine((await ctx.source!.run(shScript(SHA_SCRIPT, [copy]), `checksumming ${name}`)).stdout);
      if (expected && sum !== expected)
        throw new BurrowError(
          'verify-mismatch',
          `${name} arrived on ${ctx.job.source} with SHA-256 ${sum}, but ${expected} was recorded at transfer: nothing unpacked`,
        );
      const argv = shScript(UNPACK_SCRIPT, [copy, dir, inPlace ? 'overwrite' : 'keep']);
      const r = await ctx.source!.exec(ctx.job.sudo ? ['sudo', '-n', ...argv] : argv, { stdin: wanted.map((p) => `${p}\0`).join('') });
      if (r.code !== 0)
        throw new BurrowError('remote-command', `unpacking ${name} into ${ctx.job.source}:${dir} failed: ${lastLine(r.stderr) || `exit ${r.code}`}`);
    }
    return { path: dir, paths, files, bytes, checked };
  }
  throw new BurrowError('config', 'say where to restore: --to-laptop DIR or --to-source DIR');
}
