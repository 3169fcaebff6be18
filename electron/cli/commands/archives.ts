import { join } from 'node:path';
import { listArchives, restoreArchive, verifyArchives } from '../../engine/archives';
import { findJob } from '../../engine/backup-run';
import { loadConfig } from '../../engine/config-file';
import { BurrowError } from '../../engine/errors';
import { stateDir } from '../../engine/paths';
import { headlessAgentProvider } from '../../engine/keys/store-agent-provider';
import { History } from '../../engine/state/history';
import type { CommandContext } from '../main';
import { formatBytes } from '../../../shared/format-bytes';

async function setup({ configPath, values }: CommandContext) {
  const config = await loadConfig(configPath);
  const job = findJob(config, values.job as string | undefined);
  const history = await History.open(join(stateDir(), 'history.jsonl'));
  return { config, job, history, agents: headlessAgentProvider(configPath) };
}

/** `burrow archives`: what the destination holds, and where else each archive exists. */
export async function archivesCommand(ctx: CommandContext): Promise<number> {
  const { config, job, history, agents } = await setup(ctx);
  const rows = await listArchives(config, job, history, agents);
  if (ctx.values.json) ctx.io.out(JSON.stringify(rows, null, 2));
  else if (rows.length === 0) ctx.io.out(`no archives at ${job.destination.host}:${job.destination.path}`);
  else {
    for (const r of rows) {
      const where = ['destination', ...(r.atSource === true ? ['source'] : r.atSource === 'unknown' ? ['source?'] : [])].join('+');
      ctx.io.out(
        `${r.stamp.slice(0, 4)}-${r.stamp.slice(4, 6)}-${r.stamp.slice(6)}  ${formatBytes(r.size).padStart(9)}  ${r.verified.padEnd(11)}  ${where.padEnd(18)}  ${r.name}`,
      );
    }
  }
  return 0;
}

/** `burrow verify`: test-restores on the destination; results go into history. */
export async function verifyCommand(ctx: CommandContext): Promise<number> {
  const { config, job, history, agents } = await setup(ctx);
  const sample = typeof ctx.values.sample === 'string' ? Number(ctx.values.sample.replace(/%$/, '')) : undefined;
  if (sample !== undefined && !(sample > 0 && sample <= 100)) throw new BurrowError('config', `--sample ${ctx.values.sample}: give a percentage from 1 to 100`);
  const results = await verifyArchives(
    config,
    job,
    history,
    { all: ctx.values.all === true, ...(sample !== undefined ? { samplePercent: sample } : {}) },
    agents,
  );
  if (ctx.values.json) ctx.io.out(JSON.stringify(results, null, 2));
  else
    for (const r of results)
      ctx.io.out(
        `${r.ok ? 'ok  ' : 'BAD '} ${r.name}${r.entries !== undefined ? ` (${r.entries} entries)` : ''}${r.problems.length ? `: ${r.problems.join('; ')}` : ''}`,
      );
  return results.every((r) => r.ok) ? 0 : 1;
}

/** `burrow restore ARCHIVE --to-laptop DIR | --to-source DIR [--extract] [--in-place]` */
export async function restoreCommand(ctx: CommandContext): Promise<number> {
  const { config, job, history, agents } = await setup(ctx);
  const archive = ctx.positionals[0];
  if (!archive) throw new BurrowError('config', 'name the archive to restore (see burrow archives)');
  const str = (k: string) => (typeof ctx.values[k] === 'string' ? (ctx.values[k] as string) : undefined);
  const toLaptop = str('to-laptop');
  const toSource = str('to-source');
  if ((toLaptop === undefined) === (toSource === undefined)) throw new BurrowError('config', 'give exactly one of --to-laptop DIR and --to-source DIR');
  const done = await restoreArchive(
    config,
    job,
    history,
    {
      archive,
      ...(toLaptop ? { toLaptop } : {}),
      ...(toSource ? { toSource } : {}),
      extract: ctx.values.extract === true,
      inPlace: ctx.values['in-place'] === true,
    },
    agents,
  );
  ctx.io.out(
    `restored ${archive} to ${toSource ? `${job.source}:` : ''}${done.path} (SHA-256 ${done.sha256})${done.extractedTo ? `; unpacked into ${done.extractedTo}` : ''}`,
  );
  return 0;
}
