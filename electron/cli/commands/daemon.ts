import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineEvent } from '../../../shared/engine-events';
import { noticeFor, type Notice } from '../../../shared/notification-policy';
import { loadConfig } from '../../engine/config-file';
import { Engine } from '../../engine/engine';
import { stateDir } from '../../engine/paths';
import { headlessAgentProvider } from '../../engine/keys/store-agent-provider';
import { appRoot } from '../app-root';
import type { CommandContext } from '../main';

/** What the daemon writes about an event, or nothing (progress is too chatty). */
export function logLine(e: EngineEvent): string | undefined {
  switch (e.type) {
    case 'run-started':
      return `run ${e.run.id} of ${e.run.job} started (${e.run.trigger})`;
    case 'step':
      if (e.step.status === 'running' || e.step.status === 'pending') return `${e.step.name} started`;
      return `${e.step.name} ${e.step.status}${e.step.durationMs !== undefined ? ` in ${e.step.durationMs} ms` : ''}${e.step.error ? `: ${e.step.error.message}` : e.step.detail ? `: ${e.step.detail}` : ''}`;
    case 'run-finished':
      return `run ${e.run.id} ${e.run.status}${e.run.error ? `: ${e.run.error.message}` : ''}`;
    case 'tunnel':
      return e.connections === undefined ? `tunnel ${e.state}${e.port ? ` on source port ${e.port}` : ''}` : undefined;
    case 'missed':
      return `missed ${e.job} slot ${e.slot} (${e.cause})`;
    case 'caught-up':
      return `${e.job}: run ${e.runId} caught up ${e.slots.length} missed slot(s)`;
    case 'stale':
      return `${e.job}: backups are stale (last success ${e.lastSuccess ?? 'never'})`;
    case 'schedule':
      return `schedule ${e.paused ? 'paused' : 'resumed'}`;
    case 'queued':
      return `${e.job}: queued behind ${e.ahead} run(s) (maxConcurrentRuns, one per source host)`;
    case 'busy':
      return e.message;
    case 'log':
    case 'engine-log':
      return `${e.level}: ${e.message}`;
    default:
      return undefined;
  }
}

function notifySend(n: Notice): void {
  const urgency = n.urgency === 'critical' ? 'critical' : n.urgency === 'low' ? 'low' : 'normal';
  spawn('notify-send', ['--app-name=Burrow', `--urgency=${urgency}`, n.title, n.body], { stdio: 'ignore' }).on('error', () => {});
}

/**
 * `burrow daemon`: the scheduler without a desktop. Logs to stderr and to
 * burrow.log in the state dir; SIGTERM cancels a run in flight, tears it
 * down, releases the lock and exits 0.
 */
export async function daemonCommand({ io, configPath, values }: CommandContext): Promise<number> {
  const config = await loadConfig(configPath);
  const dir = stateDir();
  mkdirSync(dir, { recursive: true });
  const logFile = join(dir, 'burrow.log');
  const log = (line: string) => {
    const stamped = `${new Date().toISOString()} ${line}`;
    io.err(stamped);
    appendFileSync(logFile, `${stamped}\n`);
  };
  const canNotify = spawnSync('sh', ['-c', 'command -v notify-send'], { stdio: 'ignore' }).status === 0;
  const engine = await Engine.open({ config, stateDir: dir, agents: headlessAgentProvider(configPath) });
  engine.on('event', (e) => {
    const line = logLine(e);
    if (line) log(line);
    const notice = noticeFor(e);
    if (notice) {
      if (canNotify) notifySend(notice);
      else log(`notice: ${notice.title}: ${notice.body}`);
    }
  });
  let stopping: Promise<void> | undefined;
  const stop = (sig: string) => {
    if (stopping) return;
    log(`${sig}: stopping; cancelling runs in flight`);
    stopping = engine.shutdown();
  };
  const stopped = new Promise<void>((resolve) => {
    const onSig = (sig: NodeJS.Signals) => {
      stop(sig);
      void stopping!.then(resolve);
    };
    process.once('SIGTERM', onSig).once('SIGINT', onSig);
  });
  log(`daemon started (pid ${process.pid}; code ${relative(appRoot(), fileURLToPath(import.meta.url))}); ${config.jobs.length} job(s); log ${logFile}`);
  await engine.scheduler.startUp();
  engine.scheduler.arm();
  for (const s of engine.status()) log(`${s.job}: next run ${s.nextRunAt}`);
  if (values['run-now']) {
    for (const job of config.jobs) void engine.runNow(job.name).catch((err: Error) => log(`${job.name}: ${err.message}`));
  }
  await stopped;
  log('daemon stopped');
  return 0;
}
