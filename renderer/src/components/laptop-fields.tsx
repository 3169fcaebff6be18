/**
 * A job's laptop rules in Settings: run or wait on battery, below a charge,
 * on a metered network. A deferred backup is caught up once the condition
 * clears, before the next slot; Run now always runs.
 */
import { LAPTOP_CHOICES } from '../../../shared/config-schema';
import { parseNumberInput, withField, type Fields } from '../lib/config-draft';
import { problemsFor, type ProblemMap } from '../lib/problems';
import { Field } from './field';

export interface LaptopFieldsProps {
  index: number;
  job: Fields;
  problems: ProblemMap;
  onChange: (job: Fields) => void;
}

const CHOICE_TEXT: Record<(typeof LAPTOP_CHOICES)[number], string> = { run: 'run as usual', defer: 'wait, then catch up' };

/** `job-onbattery-<i>`, `job-onmetered-<i>`, `job-minbattery-<i>`. */
export function LaptopFields({ index, job, problems, onChange }: LaptopFieldsProps) {
  const at = (key: string) => problemsFor(problems, `jobs[${index}].${key}`);
  const set = (key: string, value: unknown) => onChange(withField(job, key, value));
  const choice = (key: 'onBattery' | 'onMetered', label: string, hint: string) => (
    <Field label={label} errors={at(key)} hint={hint}>
      {(c) => (
        <select
          {...c}
          data-testid={`job-${key.toLowerCase()}-${index}`}
          value={typeof job[key] === 'string' ? job[key] : 'run'}
          onChange={(e) => set(key, e.target.value === 'run' ? undefined : e.target.value)}
        >
          {LAPTOP_CHOICES.map((o) => (
            <option key={o} value={o}>
              {CHOICE_TEXT[o]}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
  return (
    <div className="grid">
      {choice('onBattery', 'On battery', 'Scheduled runs wait until the laptop is plugged in.')}
      {choice('onMetered', 'On a metered network', 'Scheduled runs wait for an unmetered network (NetworkManager on Linux).')}
      <Field label="Minimum battery (%)" errors={at('minBatteryPercent')} hint="On battery below this charge, scheduled runs wait. 0 or blank: no minimum.">
        {(c) => (
          <input
            {...c}
            data-testid={`job-minbattery-${index}`}
            inputMode="numeric"
            placeholder="0"
            value={typeof job.minBatteryPercent === 'number' || typeof job.minBatteryPercent === 'string' ? String(job.minBatteryPercent) : ''}
            onChange={(e) => set('minBatteryPercent', parseNumberInput(e.target.value))}
          />
        )}
      </Field>
    </div>
  );
}
