/** How the CLI talks: results on stdout, narration and errors on stderr. */
import { createInterface } from 'node:readline/promises';
import type { RunPlan, StepRecord } from '../../shared/run-types';
import type { EngineEvent, JobStatus } from '../../shared/engine-events';
import { describeAge } from '../../shared/notification-policy';
import { formatBytes, formatSpeed } from '../../shared/format-bytes';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  isTTY: boolean;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
  isTTY: Boolean(process.stderr.isTTY),
};

function stepLine(s: StepRecord): string | undefined {
  const dur = s.durationMs !== undefined ? ` (${(s.durationMs / 1000).toFixed(1)} s)` : '';
  switch (s.status) {
    case 'running':
      return `… ${s.name}`;
    case 'ok':
      return `✓ ${s.name}${dur}${s.detail ? `: ${s.detail}` : ''}`;
    case 'skipped':
      return `- ${s.name} skipped${s.detail ? `: ${s.detail}` : ''}`;
    case 'failed':
      return `✗ ${s.name}${dur}: ${s.error?.message ?? 'failed'}`;
    case 'cancelled':
      return `✗ ${s.name} cancelled`;
    default:
      return undefined;
  }
}

/** Narrates a run on stderr as it happens. */
export function narrate(io: Io): (e: EngineEvent) => void {
  let lastProgress = 0;
  let lastPercent = -1;
  return (e) => {
    switch (e.type) {
      case 'run-started':
        io.err(`burrow: run ${e.run.id} of job ${e.run.job} (${e.run.trigger})`);
        break;
      case 'step': {
        const line = stepLine(e.step);
        if (line) io.err(`  ${line}`);
        break;
      }
      case 'tunnel':
        if (e.state === 'up' && e.connections === undefined) io.err(`    tunnel up on source port ${e.port}`);
        break;
      case 'progress': {
        const now = Date.now();
        if (e.progress.percent === lastPercent || (now - lastProgress < 2000 && e.progress.percent < 100)) break;
        lastProgress = now;
        lastPercent = e.progress.percent;
        io.err(`    ${e.progress.percent}%  ${formatBytes(e.progress.bytes)}  ${formatSpeed(e.progress.speedBps)}`);
        break;
      }
      case 'log':
        if (e.level !== 'info') io.err(`    ${e.level}: ${e.message}`);
        break;
      case 'engine-log':
        if (e.level !== 'info') io.err(`burrow: ${e.message}`);
        break;
      default:
        break;
    }
  };
}

/** One block per job for `burrow status`. */
export function formatStatus(s: JobStatus): string {
  const state = s.running
    ? 'running'
    : s.queued
      ? `queued (${s.queued.ahead} ahead)`
      : s.paused
        ? 'paused'
        : s.stale
          ? 'STALE'
          : (s.lastRun?.status ?? 'never run');
  const lines = [`${s.job}: ${state}`];
  lines.push(`  last success  ${s.lastSuccessAt ? `${s.lastSuccessAt} (${describeAge(s.lastSuccessAgeMs ?? 0)} ago)` : 'never'}`);
  lines.push(`  next run      ${s.paused ? 'paused' : s.nextRunAt} (${s.schedule})`);
  if (s.outstanding.length > 0) lines.push(`  missed        ${s.outstanding.map((m) => `${m.slot} (${m.cause})`).join(', ')}`);
  return lines.join('\n');
}

/** What `burrow run --dry-run` would do, one section per kind of change. */
export function formatPlan(plan: RunPlan): string {
  const section = (title: string, names: string[]) => `${title} (${names.length}):${names.map((n) => `\n  ${n}`).join('')}`;
  return [
    section('would pack', plan.pack),
    section('would delete on the source', plan.pruneSource),
    section('would send', plan.send),
    section('would delete at the destination', plan.deleteAtDestination),
  ].join('\n');
}

/** Asks a y/N question on the terminal (stderr); true only for y or yes. */
export async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(`${question} [y/N] `);
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
}
