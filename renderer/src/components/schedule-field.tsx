/**
 * A job's cron schedule with a readable preview while it is typed. Whether
 * it is valid is the config schema's verdict, passed in as `errors`.
 */
import { describeSchedule, DEFAULT_SCHEDULE } from '../lib/schedule-text';
import { Field } from './field';

export interface ScheduleFieldProps {
  jobIndex: number;
  value: string | undefined;
  errors: readonly string[];
  onChange: (value: string) => void;
}

/** `schedule-input-<i>`, `schedule-preview-<i>` (when valid), `schedule-error-<i>` (when not). */
export function ScheduleField({ jobIndex, value, errors, onChange }: ScheduleFieldProps) {
  const effective = value === undefined || value.trim() === '' ? DEFAULT_SCHEDULE : value;
  const words = describeSchedule(effective);
  const preview =
    errors.length > 0 ? undefined : (
      <span data-testid={`schedule-preview-${jobIndex}`}>
        {value === undefined || value.trim() === '' ? 'Default: ' : ''}
        {words ?? 'A valid schedule.'}
      </span>
    );
  return (
    <Field label="Schedule (cron: minute hour day month weekday)" errors={errors} errorTestId={`schedule-error-${jobIndex}`} hint={preview}>
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
  );
}
