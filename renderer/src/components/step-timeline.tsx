/**
 * The steps of a run in order, named in words (the raw name and what the
 * step does in its tooltip), each with its status and time. Steps the
 * run has not reached yet show as waiting, so the shape of a run is always
 * visible.
 */
import { STEP_NAMES, type StepRecord } from '../../../shared/run-types';
import { formatDuration } from '../lib/format';
import { STEP_HINTS, stepLabel, stepStatusWord } from '../lib/words';

export interface StepTimelineProps {
  job: string;
  steps: readonly StepRecord[];
  /** The current time, for the elapsed time of a step still running. */
  now: number;
}

function stepTime(step: StepRecord, now: number): string {
  if (step.durationMs !== undefined) return formatDuration(step.durationMs);
  if (step.status === 'running' && step.startedAt) return formatDuration(Math.max(0, now - Date.parse(step.startedAt)));
  return '';
}

/** One row of step badges; `step-<job>-<name>` carries the status in `data-status`. */
export function StepTimeline({ job, steps, now }: StepTimelineProps) {
  return (
    <ol className="timeline" aria-label="Steps">
      {STEP_NAMES.map((name) => {
        const step = steps.find((s) => s.name === name) ?? { name, status: 'pending' as const };
        const time = stepTime(step, now);
        return (
          <li
            key={name}
            className={`step step-${step.status}`}
            data-testid={`step-${job}-${name}`}
            data-status={step.status}
            title={`${name}: ${STEP_HINTS[name]}${step.error?.message || step.detail ? `\n${step.error?.message ?? step.detail}` : ''}`}
          >
            <span className="step-name">{stepLabel(name)}</span>
            <span className="step-status">{stepStatusWord(step.status)}</span>
            <span className="step-time">{time || '\u00a0'}</span>
          </li>
        );
      })}
    </ol>
  );
}
