/**
 * How long a job's backups are kept: the original rule (everything at most
 * N days old) or restic/borg-style keep rules (the newest of each of the
 * last N days, weeks and months, and everything within a span), with a
 * preview of which days that keeps, computed by the engine's own rules.
 */
import { isRecord, parseNumberInput, withField, type Fields } from '../lib/config-draft';
import { problemsFor, type ProblemMap } from '../lib/problems';
import { policyOf, previewRetention, PREVIEW_DAYS } from '../lib/retention-preview';
import { Field } from './field';

export interface JobRetentionProps {
  index: number;
  job: Fields;
  problems: ProblemMap;
  onChange: (job: Fields) => void;
}

const RULES = [
  { key: 'keepDaily', label: 'Daily backups kept', hint: 'The newest of each of the last N days.' },
  { key: 'keepWeekly', label: 'Weekly backups kept', hint: 'The newest of each of the last N weeks.' },
  { key: 'keepMonthly', label: 'Monthly backups kept', hint: 'The newest of each of the last N months.' },
] as const;

const day = (stamp: string) => `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}`;

/** `job-retention-mode-<i>`, `job-keepdays-<i>`, `job-keepdaily-<i>`..., `retention-preview-<i>` (kept days in `data-kept`). */
export function JobRetention({ index, job, problems, onChange }: JobRetentionProps) {
  const at = (key: string) => problemsFor(problems, `jobs[${index}].${key}`);
  const rules = isRecord(job.retention) ? job.retention : undefined;
  const setRule = (key: string, value: unknown) => onChange(withField(job, 'retention', withField(rules ?? {}, key, value)));
  const preview = previewRetention(policyOf(job), new Date());
  const shown = preview.kept.slice(0, 12);

  return (
    <fieldset className="subsection" data-testid={`job-retention-${index}`}>
      <legend>Keep backups</legend>
      <div className="radio-row" role="radiogroup" aria-label="Retention rule">
        <label>
          <input
            type="radio"
            name={`retention-mode-${index}`}
            data-testid={`job-retention-mode-${index}-days`}
            checked={!rules}
            onChange={() => onChange(withField(job, 'retention', undefined))}
          />
          For a number of days
        </label>
        <label>
          <input
            type="radio"
            name={`retention-mode-${index}`}
            data-testid={`job-retention-mode-${index}-rules`}
            checked={rules !== undefined}
            onChange={() => onChange(withField(withField(job, 'keepDays', undefined), 'retention', rules ?? { keepDaily: 7, keepWeekly: 4, keepMonthly: 12 }))}
          />
          Daily, weekly and monthly (like restic and borg)
        </label>
      </div>
      {rules ? (
        <div className="grid">
          {RULES.map((r) => (
            <Field key={r.key} label={r.label} hint={r.hint} errors={at(`retention.${r.key}`)}>
              {(c) => (
                <input
                  {...c}
                  data-testid={`job-${r.key.toLowerCase()}-${index}`}
                  inputMode="numeric"
                  placeholder="none"
                  value={typeof rules[r.key] === 'number' || typeof rules[r.key] === 'string' ? String(rules[r.key]) : ''}
                  onChange={(e) => setRule(r.key, parseNumberInput(e.target.value))}
                />
              )}
            </Field>
          ))}
          <Field label="Keep everything within" hint="A span such as 30d, 6w, 12m or 2y; blank: no span." errors={at('retention.keepWithin')}>
            {(c) => (
              <input
                {...c}
                data-testid={`job-keepwithin-${index}`}
                placeholder="none"
                value={typeof rules.keepWithin === 'string' ? rules.keepWithin : ''}
                onChange={(e) => setRule('keepWithin', e.target.value.trim())}
                spellCheck={false}
              />
            )}
          </Field>
        </div>
      ) : (
        <Field label="Days to keep" errors={at('keepDays')} hint="Backups older than this are deleted. Blank: 28.">
          {(c) => (
            <input
              {...c}
              data-testid={`job-keepdays-${index}`}
              inputMode="numeric"
              placeholder="28"
              value={typeof job.keepDays === 'number' || typeof job.keepDays === 'string' ? String(job.keepDays) : ''}
              onChange={(e) => onChange(withField(job, 'keepDays', parseNumberInput(e.target.value)))}
            />
          )}
        </Field>
      )}
      {rules && at('retention').length > 0 ? <p className="field-error">{at('retention').join('; ')}</p> : null}
      <div className="retention-preview" data-testid={`retention-preview-${index}`} data-kept={preview.kept.join(',')} aria-live="polite">
        <p>
          With a backup every day for the last {PREVIEW_DAYS} days, this <strong>{preview.summary}</strong>
          {preview.kept.length > 0 ? ': ' : '.'}
          {shown.map(day).join(', ')}
          {preview.kept.length > shown.length ? `, … and ${preview.kept.length - shown.length} older, back to ${day(preview.kept.at(-1)!)}` : ''}
        </p>
      </div>
    </fieldset>
  );
}
