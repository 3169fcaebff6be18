import { systemClock } from '../../../shared/clock';
import { findJob } from '../../engine/job-lookup';
import { notifierFor } from '../../engine/notify/registry';
import { loadConfig } from '../../engine/config-file';
import { Engine } from '../../engine/engine';
import { stateDir } from '../../engine/paths';
import { headlessAgentProvider } from '../../engine/keys/store-agent-provider';
import type { CommandContext } from '../main';
import { formatPlan, narrate } from '../output';

/**
 * `burrow run`: one run now, under the job's lock and recorded in history;
 * Ctrl-C cancels it and teardown still runs.
 */
export async function runCommand({ io, configPath, values }: CommandContext): Promise<number> {
  const config = await loadConfig(configPath);
  const job = findJob(config, values.job as string | undefined);
  const engine = await Engine.open({ config, stateDir: stateDir(), agents: headlessAgentProvider(configPath) });
  const onSignal = (sig: NodeJS.Signals) => {
    io.err(`burrow: ${sig}: cancelling, tearing down...`);
    engine.cancel(job.name);
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  engine.on('event', narrate(io));
  // Started from cron, a run still pings and alerts: the config's channels (the terminal is the desktop here).
  const notifier = notifierFor(config, { clock: systemClock, log: (_level, m) => io.err(`burrow: ${m}`) });
  notifier.attach(engine);
  try {
    const dryRun = values['dry-run'] === true;
    const record = await engine.runNow(job.name, 'manual', { dryRun });
    if (values.json) io.out(JSON.stringify(record, null, 2));
    else if (dryRun && record.plan) io.out(formatPlan(record.plan));
    if (record.status === 'succeeded') {
      io.err(
        dryRun ? 'burrow: dry run: nothing was changed' : `burrow: run ${record.id} succeeded; archives are in ${job.destination.host}:${job.destination.path}`,
      );
      return 0;
    }
    io.err(`burrow: ${record.status}: ${record.error?.step ? `${record.error.step}: ` : ''}${record.error?.message ?? 'unknown error'}`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    // What this run says goes out before the process ends; a channel that is down is not waited for.
    await notifier.drain(15_000);
  }
}
