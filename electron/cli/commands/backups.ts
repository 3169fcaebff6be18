/**
 * `burrow backups`, `ls`, `find`, `verify`, `restore` and
 * `init-destination`: what the destination holds, for either format.
 */
import { parseArchiveName } from '../../../shared/archive-names';
import { formatBytes } from '../../../shared/format-bytes';
import type { BackupRowView } from '../../../shared/api-contract';
import type { JobConfig } from '../../../shared/config-schema';
import { browseBackup, initDestination, listBackups, restoreBackup, searchBackups, verifyBackups, type BackupsAccess } from '../../engine/archives';
import { findJob } from '../../engine/job-lookup';
import { loadConfig } from '../../engine/config-file';
import { BurrowError } from '../../engine/errors';
import { headlessAgentProvider } from '../../engine/keys/store-agent-provider';
import { stateDir } from '../../engine/paths';
import { History } from '../../engine/state/history';
import type { CommandContext } from '../main';
import { confirm } from '../output';

async function access({ configPath }: CommandContext): Promise<BackupsAccess> {
  const config = await loadConfig(configPath);
  const dir = stateDir();
  const history = await History.open(dir);
  return { config, history, stateDir: dir, agents: headlessAgentProvider(configPath) };
}

const str = (ctx: CommandContext, k: string) => (typeof ctx.values[k] === 'string' ? (ctx.values[k] as string) : undefined);

/** JOB as the first positional (or --job), the rest after it. */
function jobAndRest(ctx: CommandContext, a: BackupsAccess, usage: string): { job: JobConfig; rest: string[] } {
  const named = str(ctx, 'job');
  if (named !== undefined) return { job: findJob(a.config, named), rest: ctx.positionals };
  const [first, ...rest] = ctx.positionals;
  if (first !== undefined && a.config.jobs.some((j) => j.name === first)) return { job: findJob(a.config, first), rest };
  if (a.config.jobs.length === 1) return { job: a.config.jobs[0]!, rest: ctx.positionals };
  throw new BurrowError('config', `name the job: ${usage} (jobs: ${a.config.jobs.map((j) => j.name).join(', ')})`);
}

function changesText(r: BackupRowView): string {
  if (!r.changes) return '';
  const c = r.changes;
  return `+${c.added} ~${c.changed} -${c.removed} (${formatBytes(c.bytes)})`;
}

/** `burrow backups [--job NAME] [--json]` (also `burrow archives`): each day at the destination. */
export async function backupsCommand(ctx: CommandContext): Promise<number> {
  const a = await access(ctx);
  const job = findJob(a.config, str(ctx, 'job'));
  const rows = await listBackups(a, job);
  if (ctx.values.json) ctx.io.out(JSON.stringify(rows, null, 2));
  else if (rows.length === 0) ctx.io.out(`no backups of ${job.name} at ${job.destination.host}:${job.destination.path}`);
  else {
    ctx.io.out(
      `${'day'.padEnd(10)}  ${'format'.padEnd(8)}  ${'size'.padStart(9)}  ${'files'.padStart(7)}  ${'verified'.padEnd(11)}  ${'where'.padEnd(18)}  changes`,
    );
    for (const r of rows) {
      const where = ['destination', ...(r.atSource === true ? ['source'] : r.atSource === 'unknown' ? ['source?'] : [])].join('+');
      ctx.io.out(
        `${r.name}  ${r.format.padEnd(8)}  ${formatBytes(r.size).padStart(9)}  ${String(r.files ?? '-').padStart(7)}  ${r.verified.padEnd(11)}  ${where.padEnd(18)}  ${changesText(r)}`,
      );
    }
  }
  return 0;
}

const when = (mtime: number) => (mtime ? new Date(mtime * 1000).toISOString().slice(0, 16).replace('T', ' ') : '                ');

/** `burrow ls JOB DAY [PATH] [--json]`: one directory of a day's backup. */
export async function lsCommand(ctx: CommandContext): Promise<number> {
  const a = await access(ctx);
  const usage = 'burrow ls JOB DAY [PATH]';
  const { job, rest } = jobAndRest(ctx, a, usage);
  const [day, path = ''] = rest;
  if (!day) throw new BurrowError('config', `name the day: ${usage} (see burrow backups)`);
  const entries = await browseBackup(a, job, day, path.replace(/^\/+|\/+$/g, ''));
  if (ctx.values.json) ctx.io.out(JSON.stringify(entries, null, 2));
  else
    for (const e of entries)
      ctx.io.out(
        `${e.type === 'dir' ? 'd' : e.type === 'link' ? 'l' : '-'} ${(e.mode ?? '').padStart(4)} ${formatBytes(e.size).padStart(9)}  ${when(e.mtime)}  ${e.path}${e.type === 'dir' ? '/' : ''}`,
      );
  return 0;
}

/** `burrow find JOB TEXT [--json]`: where a name is, in which days, what size. */
export async function findCommand(ctx: CommandContext): Promise<number> {
  const a = await access(ctx);
  const usage = 'burrow find JOB TEXT';
  const { job, rest } = jobAndRest(ctx, a, usage);
  const text = rest.join(' ');
  if (!text) throw new BurrowError('config', `give part of a name: ${usage}`);
  const found = await searchBackups(a, job, text);
  if (ctx.values.json) ctx.io.out(JSON.stringify(found, null, 2));
  else {
    const byPath = new Map<string, typeof found.hits>();
    for (const h of found.hits) byPath.set(h.path, [...(byPath.get(h.path) ?? []), h]);
    for (const [path, hits] of byPath) {
      const sizes = [...new Set(hits.map((h) => formatBytes(h.size)))].join(', ');
      ctx.io.out(`${path}${hits[0]!.type === 'dir' ? '/' : ''}  ${hits[0]!.type === 'dir' ? '' : `${sizes}  `}in ${hits.map((h) => h.backup).join(', ')}`);
    }
    if (found.hits.length === 0) ctx.io.out(`nothing named like "${text}" in ${job.name}'s backups`);
    if (found.truncated) ctx.io.err('burrow: more matched than are shown; narrow the text');
    for (const n of found.notSearched) ctx.io.err(`burrow: not searched: ${n}`);
  }
  return 0;
}

/** `burrow verify [--job NAME] [--all | --sample N%] [DAY...]`: test-restores on the destination; results go into history. */
export async function verifyCommand(ctx: CommandContext): Promise<number> {
  const a = await access(ctx);
  const job = findJob(a.config, str(ctx, 'job'));
  const sample = str(ctx, 'sample') !== undefined ? Number(str(ctx, 'sample')!.replace(/%$/, '')) : undefined;
  if (sample !== undefined && !(sample > 0 && sample <= 100)) throw new BurrowError('config', `--sample ${ctx.values.sample}: give a percentage from 1 to 100`);
  const names = ctx.positionals.length ? ctx.positionals : undefined;
  const results = await verifyBackups(a, job, {
    all: ctx.values.all === true,
    ...(sample !== undefined ? { samplePercent: sample } : {}),
    ...(names ? { names } : {}),
  });
  if (ctx.values.json) ctx.io.out(JSON.stringify(results, null, 2));
  else {
    if (results.length === 0) ctx.io.out('nothing to verify');
    for (const r of results)
      ctx.io.out(
        `${r.ok ? 'ok  ' : 'BAD '} ${r.name}${r.entries !== undefined ? ` (${r.entries} checked)` : ''}${r.problems.length ? `: ${r.problems.join('; ')}` : ''}`,
      );
  }
  return results.every((r) => r.ok) ? 0 : 1;
}

/**
 * `burrow restore JOB DAY [PATH...] (--to-laptop DIR | --to-source DIR) [--in-place]`,
 * and the older `burrow restore ARCHIVE (--to-laptop DIR | --to-source DIR) [--extract] [--in-place]`.
 */
export async function restoreCommand(ctx: CommandContext): Promise<number> {
  const a = await access(ctx);
  const toLaptop = str(ctx, 'to-laptop');
  const toSource = str(ctx, 'to-source');
  if ((toLaptop === undefined) === (toSource === undefined)) throw new BurrowError('config', 'give exactly one of --to-laptop DIR and --to-source DIR');
  const where = { ...(toLaptop ? { toLaptop } : {}), ...(toSource ? { toSource } : {}), inPlace: ctx.values['in-place'] === true };
  const first = ctx.positionals[0];
  if (first && parseArchiveName(first)) {
    const job = findJob(a.config, str(ctx, 'job'));
    const done = await restoreBackup(a, job, { backup: first, ...where, extract: ctx.values.extract === true });
    ctx.io.out(
      `restored ${first} to ${toSource ? `${job.source}:` : ''}${done.path} (SHA-256 ${done.sha256})${done.extractedTo ? `; unpacked into ${done.extractedTo}` : ''}`,
    );
    return 0;
  }
  const usage = 'burrow restore JOB DAY [PATH...] (--to-laptop DIR | --to-source DIR)';
  const { job, rest } = jobAndRest(ctx, a, usage);
  const [day, ...paths] = rest;
  if (!day) throw new BurrowError('config', `name the day: ${usage} (see burrow backups)`);
  const done = await restoreBackup(a, job, { backup: day, paths: paths.map((p) => p.replace(/^\/+|\/+$/g, '')), ...where });
  ctx.io.out(
    `restored ${done.paths.join(', ')} of ${day} into ${toSource ? `${job.source}:` : ''}${done.path}: ${done.files} file(s), ${formatBytes(done.bytes)}; ` +
      `${done.checked} checked against the checksums recorded when they were sent`,
  );
  return 0;
}

/** `burrow init-destination JOB [--yes]`: says what setting the destination up creates, asks, and writes the marker. */
export async function initDestinationCommand(ctx: CommandContext): Promise<number> {
  const a = await access(ctx);
  const { job } = jobAndRest(ctx, a, 'burrow init-destination JOB');
  const preview = await initDestination(a, job, true);
  const show = (r: typeof preview) =>
    `${r.found}.${r.creates.length ? `\nSetting it up creates:\n${r.creates.map((c) => `  - ${c}`).join('\n')}` : ''}\nmarker: ${r.marker}\n${r.message}`;
  ctx.io.out(show(preview));
  if (preview.state === 'refused') return 1;
  if (preview.state === 'set up') return 0;
  if (ctx.values['dry-run']) return 0;
  if (!ctx.values.yes) {
    if (!process.stdin.isTTY) throw new BurrowError('config', 'not setting the destination up without confirmation: re-run with --yes');
    if (!(await confirm(`Set up ${preview.destination} for job ${job.name}?`))) {
      ctx.io.err('burrow: nothing written');
      return 1;
    }
  }
  const done = await initDestination(a, job, false);
  ctx.io.out(done.message);
  return 0;
}
