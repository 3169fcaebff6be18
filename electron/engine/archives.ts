/**
 * What is at the destination, whether it is intact, and getting it back:
 * `burrow archives`, `burrow verify` and `burrow restore`.
 *
 * Verify test-restores on the destination host itself (decompress test,
 * tar listing, SHA-256 against the one recorded at transfer). Restore either
 * downloads to the laptop, or sends an archive back to the source through
 * the reverse tunnel in the other direction (rsync on the source pulls from
 * the destination; the source still reaches nothing directly).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArchiveName } from '../../shared/archive-names';
import type { BurrowConfig, JobConfig } from '../../shared/config-schema';
import { createRunContext, newRunRecord } from './backup-run';
import { BurrowError } from './errors';
import type { RunContext } from './run-context';
import { shScript } from './shell-quote';
import { SshSession, lastLine } from './ssh/ssh-session';
import { connectStep } from './steps/connect';
import { listDir } from './steps/guard';
import { fakeSuper, snapshotRoot } from './steps/snapshot';
import { teardownStep } from './steps/teardown';
import { tunnelSshCommand, writeSourceKnownHosts } from './steps/transfer';
import { tunnelStep } from './steps/tunnel';
import type { History } from './state/history';
import type { AgentProvider } from './ssh/auth';
import type { ArchiveRowView, VerifyResultView } from '../../shared/api-contract';

/** One archive at the destination, as the API contract shows it. */
export type ArchiveRow = ArchiveRowView;
export type VerifyResult = VerifyResultView;

/** The checksum each archive had when a run last verified it arrived. */
export function recordedSums(history: History, job: string): Map<string, string> {
  return history.recordedSums(job);
}

/** `agents`: which agent signs for these connections (the key store's, in the app and CLI). */
async function withContext<T>(config: BurrowConfig, job: JobConfig, fn: (ctx: RunContext) => Promise<T>, agents?: AgentProvider): Promise<T> {
  const ctx = createRunContext({ config, job, ...(agents ? { agents } : {}) }, job, newRunRecord(job, 'manual', new Date()), () => {});
  try {
    return await fn(ctx);
  } finally {
    await teardownStep(ctx);
  }
}

const openDestination = async (ctx: RunContext) =>
  (ctx.destination ??= await SshSession.open({ config: ctx.config, hostName: ctx.job.destination.host, agents: ctx.agents, signal: ctx.signal }));

export async function listArchives(config: BurrowConfig, job: JobConfig, history: History, agents?: AgentProvider): Promise<ArchiveRow[]> {
  return withContext(
    config,
    job,
    async (ctx) => {
      const dest = await listDir(await openDestination(ctx), job.destination.path, ctx.signal);
      let atSource: Set<string> | undefined;
      try {
        await connectStep(ctx);
        atSource = new Set((await listDir(ctx.source!, job.holdingDir, ctx.signal)).files.keys());
      } catch {
        atSource = undefined; // the source may be out of reach; the destination is what counts
      }
      const sums = recordedSums(history, job.name);
      const checks = history.verifications(job.name);
      return [...dest.files]
        .filter(([name]) => parseArchiveName(name))
        .map(([name, size]): ArchiveRow => {
          const check = checks.get(name);
          const row: ArchiveRow = {
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
    },
    agents,
  );
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

/** Test-restores archives on the destination and records the results in history. */
export async function verifyArchives(
  config: BurrowConfig,
  job: JobConfig,
  history: History,
  which: { all?: boolean; samplePercent?: number; names?: string[] } = {},
  agents?: AgentProvider,
): Promise<VerifyResult[]> {
  return withContext(
    config,
    job,
    async (ctx) => {
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
      const sums = recordedSums(history, job.name);
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
      await history.add({ t: 'verify', job: job.name, at: new Date().toISOString(), results });
      return results;
    },
    agents,
  );
}

export interface RestoreOptions {
  archive: string;
  /** Download into this laptop directory... */
  toLaptop?: string;
  /** ...or send back onto the source into this directory, through the tunnel. */
  toSource?: string;
  /** Also unpack it: into a new directory `<dir>/<base>.<stamp>`, which must not exist yet. */
  extract?: boolean;
  /** Unpack straight into `<dir>`, over what is there. Only when asked for. */
  inPlace?: boolean;
}

export interface Restored {
  path: string;
  sha256: string;
  /** Where it was unpacked, when it was. */
  extractedTo?: string;
}

/** `etc.20261126.tar.bz2` in `/srv` unpacks into `/srv/etc.20261126` (or `/srv` in place). */
export function extractTarget(dir: string, archive: string, inPlace: boolean): string {
  const p = parseArchiveName(archive)!;
  return inPlace ? dir : join(dir, `${p.base}.${p.stamp}`);
}

const EXTRACT_SCRIPT = 'if [ "$3" = fresh ]; then mkdir -- "$2" || exit 17; else mkdir -p -- "$2"; fi; tar -xf "$1" -C "$2"';

/** Restores one archive; returns where it landed. Never overwrites an existing file. */
export async function restoreArchive(config: BurrowConfig, job: JobConfig, history: History, opts: RestoreOptions, agents?: AgentProvider): Promise<Restored> {
  if (job.format === 'snapshot') return restoreSnapshot(config, job, opts, agents);
  if (!parseArchiveName(opts.archive) || opts.archive.includes('/')) throw new BurrowError('config', `"${opts.archive}" is not an archive name`);
  const expected = recordedSums(history, job.name).get(opts.archive);
  const extract = opts.extract === true || opts.inPlace === true;
  return withContext(
    config,
    job,
    async (ctx) => {
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
    },
    agents,
  );
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
  const { link } = await import('node:fs/promises');
  try {
    await link(from, to); // fails if `to` exists: never overwrite
  } finally {
    await rm(from, { force: true });
  }
}

const SOURCE_SHA = '[ -f "$1" ] && sha256sum < "$1" | cut -d" " -f1';

/**
 * Connects, opens the tunnel and pins the destination on the source, then
 * checks that `target` does not exist there yet; returns the tunnel ssh
 * command for rsync's -e. Both restores onto the source start so.
 */
async function prepareRestoreOnSource(ctx: RunContext, target: string): Promise<string> {
  await connectStep(ctx);
  await tunnelStep(ctx);
  const knownHosts = await writeSourceKnownHosts(ctx);
  if ((await ctx.source!.exec(['test', '-e', target])).code === 0)
    throw new BurrowError('config', `${ctx.job.source}:${target} already exists: not overwritten`);
  return tunnelSshCommand(ctx.tunnel!.port, knownHosts);
}

/** rsync on the source (with the agent), pulling from the destination through the tunnel. */
async function rsyncOntoSource(ctx: RunContext, argv: string[], what: string): Promise<void> {
  const r = await ctx.source!.exec(argv, { agentForward: true });
  if (r.code !== 0) throw new BurrowError('rsync', `restoring ${what} onto ${ctx.job.source} failed: ${lastLine(r.stderr) || `exit ${r.code}`}`);
}

async function sendToSource(ctx: RunContext, name: string, dir: string, expected?: string): Promise<Restored> {
  const into = dir.replace(/\/+$/, '');
  const target = `${into}/${name}`;
  const rsh = await prepareRestoreOnSource(ctx, target);
  const dest = ctx.destinationHost;
  await rsyncOntoSource(ctx, ['rsync', '-t', '--mkpath', '-e', rsh, '--', `${dest.user}@127.0.0.1:${ctx.job.destination.path}/${name}`, `${into}/`], name);
  const sum = lastLine((await ctx.source!.run(shScript(SOURCE_SHA, [target]), 'checksumming the restored archive')).stdout);
  if (expected && sum !== expected)
    throw new BurrowError('verify-mismatch', `${target} on ${ctx.job.source} has SHA-256 ${sum}, but ${expected} was recorded at transfer`);
  return { path: target, sha256: sum };
}

/**
 * A snapshot (a YYYY-MM-DD directory) goes back onto the source through the
 * tunnel into `<dir>/<date>/`, which must not exist yet; the owners and modes
 * stored with --fake-super come back with it (owners only where the source
 * side runs as root).
 */
async function restoreSnapshot(config: BurrowConfig, job: JobConfig, opts: RestoreOptions, agents?: AgentProvider): Promise<Restored> {
  const date = opts.archive;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new BurrowError('config', `"${date}" is not a snapshot name (YYYY-MM-DD)`);
  if (!opts.toSource) throw new BurrowError('config', 'a snapshot is restored onto the source: give --to-source DIR');
  return withContext(
    config,
    job,
    async (ctx) => {
      const target = `${opts.toSource!.replace(/\/+$/, '')}/${date}`;
      const rsh = await prepareRestoreOnSource(ctx, target);
      const argv = [
        'rsync',
        '-aH',
        '--numeric-ids',
        '--mkpath',
        ...fakeSuper(ctx),
        '-e',
        rsh,
        '--',
        `${ctx.destinationHost.user}@127.0.0.1:${snapshotRoot(ctx)}/${date}/`,
        `${target}/`,
      ];
      await rsyncOntoSource(ctx, job.sudo ? ['sudo', '-n', '-E', ...argv] : argv, `snapshot ${date}`);
      return { path: target, sha256: '', extractedTo: target };
    },
    agents,
  );
}
