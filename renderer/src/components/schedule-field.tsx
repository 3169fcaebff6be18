/**
 * When a job runs: a picker for the usual schedules (every day at a time,
 * weekdays at a time, every hour) and the cron expression it makes, which
 * can be edited as it is for anything else; a preview in words below.
 * Whether it is valid is the config schema's verdict, passed in as `errors`.
 */
import { useId } from 'react';
import { cronOf, pickSchedule, type ScheduleMode } from '../lib/schedule-picker';
import { describeSchedule, DEFAULT_SCHEDULE } from '../lib/schedule-text';
import { Field } from './field';

export interface ScheduleFieldProps {
  jobIndex: number;
  value: string | undefined;
  errors: readonly string[];
  onChange: (value: string) => void;
}

const MODES: { mode: ScheduleMode; label: string }[] = [
  { mode: 'daily', label: 'Every day at' },
  { mode: 'weekdays', label: 'Monday to Friday at' },
  { mode: 'hourly', label: 'Every hour, at minute' },
  { mode: 'custom', label: 'Custom (cron)' },
];

/** `schedule-mode-<i>`, `schedule-time-<i>` / `schedule-minute-<i>`, `schedule-input-<i>` (cron), `schedule-preview-<i>` (when valid), `schedule-error-<i>`. */
export function ScheduleField({ jobIndex, value, errors, onChange }: ScheduleFieldProps) {
  const effective = value === undefined || value.trim() === '' ? DEFAULT_SCHEDULE : value;
  const picked = pickSchedule(effective);
  const words = describeSchedule(effective);
  const modeId = useId();
  const whenId = useId();
  const pick = (patch: Partial<typeof picked>) => {
    const next = cronOf({ ...picked, ...patch });
    if (next) onChange(next);
  };
  const preview =
    errors.length > 0 ? undefined : (
      <span data-testid={`schedule-preview-${jobIndex}`}>
        {value === undefined || value.trim() === '' ? 'Default: ' : ''}
        {words ?? 'A valid schedule.'}
      </span>
    );

  return (
    <fieldset className="subsection schedule">
      <legend>Schedule</legend>
      <div className="schedule-picker">
        <label htmlFor={modeId}>Runs</label>
        <select
          id={modeId}
          data-testid={`schedule-mode-${jobIndex}`}
          value={picked.mode}
          onChange={(e) => {
            const mode = e.target.value as ScheduleMode;
            if (mode !== 'custom') pick({ mode });
            else onChange(effective);
          }}
        >
          {MODES.map((m) => (
            <option key={m.mode} value={m.mode}>
              {m.label}
            </option>
          ))}
        </select>
        {picked.mode === 'daily' || picked.mode === 'weekdays' ? (
          <input
            id={whenId}
            type="time"
            aria-label="Time of day"
            data-testid={`schedule-time-${jobIndex}`}
            value={picked.time}
            onChange={(e) => e.target.value && pick({ time: e.target.value })}
          />
        ) : null}
        {picked.mode === 'hourly' ? (
          <input
            id={whenId}
            type="number"
            min={0}
            max={59}
            aria-label="Minute of the hour"
            data-testid={`schedule-minute-${jobIndex}`}
            value={picked.minute}
            onChange={(e) => {
              const m = Number(e.target.value);
              if (Number.isInteger(m) && m >= 0 && m <= 59) pick({ minute: m });
            }}
          />
        ) : null}
      </div>
      <Field label="As cron (minute hour day month weekday)" errors={errors} errorTestId={`schedule-error-${jobIndex}`} hint={preview}>
        {(c) => (
          <input
            {...c}
            className="mono"
            data-testid={`schedule-input-${jobIndex}`}
            placeholder={DEFAULT_SCHEDULE}
            value={value ?? ''}
            onChange={(e) => onChange(e.target.value)}
            spellCheck={false}
            autoComplete="off"
          />
        )}
      </Field>
    </fieldset>
  );
}
