import { appendFileSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock, type Clock } from '../../../shared/clock';
import type { BurrowConfig } from '../../../shared/config-schema';
import type { EngineEvent } from '../../../shared/engine-events';
import { JsonSettingsStore } from '../../engine/app/settings-store';
import { loadConfig } from '../../engine/config-file';
import { Engine } from '../../engine/engine';
import type { Channel } from '../../engine/notify/channel';
import { notifySendChannel } from '../../engine/notify/desktop';
import type { Notifier } from '../../engine/notify/notifier';
import { notifierFor } from '../../engine/notify/registry';
import { configDir, stateDir } from '../../engine/paths';
import type { AgentProvider } from '../../engine/ssh/auth';
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

export interface DaemonOptions {
  config: BurrowConfig;
  stateDir: string;
  agents?: AgentProvider;
  clock?: Clock;
  /** The desktop channel (default: notify-send, or the log where there is none). */
  desktop?: Channel;
  log: (line: string) => void;
  /** Arm the schedule and the notifier's retries (off in tests that drive time themselves). */
  arm?: boolean;
}

/**
 * The daemon's engine with its log and its notifier attached, started up
 * (missed slots found) and, unless told otherwise, armed.
 */
export async function openDaemon(opts: DaemonOptions): Promise<{ engine: Engine; notifier: Notifier }> {
  const clock = opts.clock ?? systemClock;
  const engine = await Engine.open({ config: opts.config, stateDir: opts.stateDir, clock, ...(opts.agents ? { agents: opts.agents } : {}) });
  const settings = new JsonSettingsStore(join(configDir(), 'ui-settings.json'));
  const notifier = notifierFor(opts.config, {
    clock,
    desktop: opts.desktop ?? notifySendChannel({ settings: () => settings.get(), log: opts.log }),
    log: (level, message) => opts.log(`${level}: ${message}`),
  });
  engine.on('event', (e) => {
    const line = logLine(e);
    if (line) opts.log(line);
  });
  notifier.attach(engine);
  await engine.scheduler.startUp();
  if (opts.arm !== false) {
    engine.scheduler.arm();
    notifier.arm();
  }
  return { engine, notifier };
}

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
  log(`daemon started (pid ${process.pid}; code ${relative(appRoot(), fileURLToPath(import.meta.url))}); ${config.jobs.length} job(s); log ${logFile}`);
  const { engine, notifier } = await openDaemon({ config, stateDir: dir, agents: headlessAgentProvider(configPath), log });
  let stopping: Promise<void> | undefined;
  const stop = (sig: string) => {
    if (stopping) return;
    log(`${sig}: stopping; cancelling runs in flight`);
    notifier.disarm();
    stopping = engine.shutdown();
  };
  const stopped = new Promise<void>((resolve) => {
    const onSig = (sig: NodeJS.Signals) => {
      stop(sig);
      // Runs cancelled just now end in notices (a ping's /fail): give them a moment to go out.
      void stopping!.then(() => notifier.drain(5000)).then(resolve);
    };
    process.once('SIGTERM', onSig).once('SIGINT', onSig);
  });
  for (const s of engine.status()) log(`${s.job}: next run ${s.nextRunAt}`);
  if (values['run-now']) {
    for (const job of config.jobs) void engine.runNow(job.name).catch((err: Error) => log(`${job.name}: ${err.message}`));
  }
  await stopped;
  log('daemon stopped');
  return 0;
}
