/**
 * The archives a job keeps at the destination: listed with where else they
 * exist, test-restored on the destination host itself (decompress test, tar
 * listing, SHA-256 against the one recorded at transfer), and brought back
 * to the laptop (SFTP download) or onto the source through the reverse
 * tunnel (rsync on the source pulls from the destination; the source still
 * reaches nothing directly).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { link, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArchiveName } from '../../../../shared/archive-names';
import { listDir } from '../../destination-marker';
import { BurrowError } from '../../errors';
import type { RunContext } from '../../run-context';
import { shScript } from '../../shell-quote';
import { lastLine, type SshSession } from '../../ssh/ssh-session';
import { connectStep, openDestination } from '../../steps/connect';
import { prepareRestoreOnSource, rsyncOntoSource } from '../../restore-on-source';
import { throughTunnel } from '../../tunnel-rsync';
import type { Restored, RestoreOptions, StoredRecords, StoredRow, VerifyResult, VerifyWhich } from '../storage-format';

/** The archives at the destination, and whether each is still in the source's holding dir. */
export async function listArchivesStored(ctx: RunContext, records: StoredRecords): Promise<StoredRow[]> {
  const { job } = ctx;
  const dest = await listDir(await openDestination(ctx), job.destination.path, ctx.signal);
  let atSource: Set<string> | undefined;
  try {
    await connectStep(ctx);
    atSource = new Set((await listDir(ctx.source!, job.holdingDir, ctx.signal)).files.keys());
  } catch {
    atSource = undefined; // the source may be out of reach; the destination is what counts
  }
  const sums = records.recordedSums(job.name);
  const checks = records.verifications(job.name);
  return [...dest.files]
    .filter(([name]) => parseArchiveName(name))
    .map(([name, size]): StoredRow => {
      const check = checks.get(name);
      const row: StoredRow = {
        name,
        stamp: parseArchiveName(name)!.stamp,
        size,
        atDestination: true,
        atSource: atSource ? atSource.has(name) : 'unknown',
        verified: check ? (check.ok ? 'ok' : 'failed') : sums.has(name) ? 'at transfer' : 'never',
      };
      const sha = sums.get(name);
      if (sha) row.sha256 = sha;
      return row;
    })
    .sort((a, b) => b.stamp.localeCompare(a.stamp) || a.name.localeCompare(b.name));
}

const TEST_PROGRAM: Record<string, string> = { bz2: 'bzip2', gz: 'gzip', zst: 'zstd' };
/** For each archive: name NUL decompress-test-ok NUL tar-entries-or-error NUL sha256 NUL. */
const VERIFY_SCRIPT = `cd -- "$1" || exit 66; shift
for f; do
  case "$f" in *.bz2) p=bzip2;; *.gz) p=gzip;; *.zst) p=zstd;; *) p=cat;; esac
  if [ ! -f "$f" ]; then printf "%s\\0missing\\0\\0\\0" "$f"; continue; fi
  if $p -t < "$f" 2>/dev/null; then t=ok; else t=failed; fi
  n=$($p -dc < "$f" 2>/dev/null | tar -tf - 2>/dev/null | wc -l | tr -d ' ')
  $p -dc < "$f" 2>/dev/null | tar -tf - >/dev/null 2>&1 || n="unreadable"
  printf "%s\\0%s\\0%s\\0%s\\0" "$f" "$t" "$n" "$(sha256sum < "$f" | cut -d' ' -f1)"
done`;

/** Test-restores archives on the destination and records the results. */
export async function verifyArchivesStored(ctx: RunContext, records: StoredRecords, which: VerifyWhich): Promise<VerifyResult[]> {
  const { job } = ctx;
  const dest = await openDestination(ctx);
  const listing = await listDir(dest, job.destination.path, ctx.signal);
  let names = which.names ?? [...listing.files.keys()].filter((n) => parseArchiveName(n)).sort();
  if (!which.all && !which.names && which.samplePercent !== undefined) {
    const count = Math.max(1, Math.ceil((names.length * which.samplePercent) / 100));
    names = [...names]
      .sort(() => Math.random() - 0.5)
      .slice(0, count)
      .sort();
  }
  if (names.length === 0) return [];
  const r = await dest.run(shScript(VERIFY_SCRIPT, [job.destination.path, ...names]), 'verifying archives');
  const parts = r.stdout.split('\0');
  const sums = records.recordedSums(job.name);
  const results: VerifyResult[] = [];
  for (let i = 0; i + 3 < parts.length; i += 4) {
    const [name, test, entries, sha] = [parts[i]!, parts[i + 1]!, parts[i + 2]!, parts[i + 3]!];
    const problems: string[] = [];
    if (test === 'missing') problems.push('missing at the destination');
    else {
      if (test !== 'ok') problems.push(`${TEST_PROGRAM[name.split('.').pop()!] ?? 'decompress'} -t failed: the archive is corrupt`);
      if (!/^\d+$/.test(entries)) problems.push('tar cannot list it');
      const recorded = sums.get(name);
      if (recorded && recorded !== sha) problems.push(`SHA-256 ${sha.slice(0, 12)}… differs from ${recorded.slice(0, 12)}… recorded at transfer`);
    }
    const result: VerifyResult = { name, ok: problems.length === 0, problems };
    if (/^\d+$/.test(entries)) result.entries = Number(entries);
    results.push(result);
  }
  await records.recordVerify(job.name, ctx.clock.now().toISOString(), results);
  return results;
}

/** `etc.20261126.tar.bz2` in `/srv` unpacks into `/srv/etc.20261126` (or `/srv` in place). */
export function extractTarget(dir: string, archive: string, inPlace: boolean): string {
  const p = parseArchiveName(archive)!;
  return inPlace ? dir : join(dir, `${p.base}.${p.stamp}`);
}

const EXTRACT_SCRIPT = 'if [ "$3" = fresh ]; then mkdir -- "$2" || exit 17; else mkdir -p -- "$2"; fi; tar -xf "$1" -C "$2"';

/** Restores one archive; returns where it landed. Never overwrites an existing file. */
export async function restoreArchiveStored(ctx: RunContext, records: StoredRecords, opts: RestoreOptions): Promise<Restored> {
  const { job } = ctx;
  if (!parseArchiveName(opts.archive) || opts.archive.includes('/')) throw new BurrowError('config', `"${opts.archive}" is not an archive name`);
  const expected = records.recordedSums(job.name).get(opts.archive);
  const extract = opts.extract === true || opts.inPlace === true;
  if (opts.toLaptop) {
    const got = await downloadToLaptop(ctx, await openDestination(ctx), opts.archive, opts.toLaptop, expected);
    if (!extract) return got;
    const into = extractTarget(opts.toLaptop, opts.archive, opts.inPlace === true);
    await runLocal('sh', ['-c', EXTRACT_SCRIPT, 'sh', got.path, into, opts.inPlace ? 'in-place' : 'fresh'], `unpacking into ${into}`);
    return { ...got, extractedTo: into };
  }
  if (opts.toSource) {
    const got = await sendToSource(ctx, opts.archive, opts.toSource, expected);
    if (!extract) return got;
    const into = extractTarget(opts.toSource, opts.archive, opts.inPlace === true);
    const argv = shScript(EXTRACT_SCRIPT, [got.path, into, opts.inPlace ? 'in-place' : 'fresh']);
    await ctx.source!.run(job.sudo ? ['sudo', '-n', ...argv] : argv, `unpacking into ${into} (it must not exist yet)`);
    return { ...got, extractedTo: into };
  }
  throw new BurrowError('config', 'say where to restore: --to-laptop DIR or --to-source DIR');
}

function runLocal(cmd: string, args: string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, (err, _out, stderr) => {
      if (err) reject(new BurrowError('remote-command', `${what} failed: ${lastLine(String(stderr)) || err.message}`));
      else resolve();
    });
  });
}

async function downloadToLaptop(ctx: RunContext, dest: SshSession, name: string, dir: string, expected?: string): Promise<Restored> {
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
  await linkOrFail(partial, final);
  return { path: final, sha256 };
}

async function linkOrFail(from: string, to: string): Promise<void> {
  try {
    await link(from, to); // fails if `to` exists: never overwrite
  } finally {
    await rm(from, { force: true });
  }
}

const SOURCE_SHA = '[ -f "$1" ] && sha256sum < "$1" | cut -d" " -f1';

async function sendToSource(ctx: RunContext, name: string, dir: string, expected?: string): Promise<Restored> {
  const into = dir.replace(/\/+$/, '');
  const target = `${into}/${name}`;
  const rsh = await prepareRestoreOnSource(ctx, target);
  await rsyncOntoSource(ctx, ['rsync', '-t', '--mkpath', '-e', rsh, '--', throughTunnel(ctx, `${ctx.job.destination.path}/${name}`), `${into}/`], name);
  const sum = lastLine((await ctx.source!.run(shScript(SOURCE_SHA, [target]), 'checksumming the restored archive')).stdout);
  if (expected && sum !== expected)
    throw new BurrowError('verify-mismatch', `${target} on ${ctx.job.source} has SHA-256 ${sum}, but ${expected} was recorded at transfer`);
  return { path: target, sha256: sum };
}
