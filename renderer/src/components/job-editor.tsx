/**
 * One job of the config: what to pack on the source, where it goes, how
 * long it is kept and when it runs. Problems come by the schema's field
 * paths (`jobs[<i>].<field>`).
 */
import { compressionSchema, DEFAULT_COMPRESSION } from '../../../shared/config-schema';
import { DEFAULT_FORMAT, FORMATS, FORMAT_NAMES, type FormatName } from '../../../shared/formats';
import { isRecord, withField, type Fields } from '../lib/config-draft';
import { problemsFor, type ProblemMap } from '../lib/problems';
import { Field } from './field';
import { JobRetention } from './job-retention';
import { JobTransfer } from './job-transfer';
import { LaptopFields } from './laptop-fields';
import { LinesInput } from './lines-input';
import { ScheduleField } from './schedule-field';

export interface JobEditorProps {
  index: number;
  job: Fields;
  hostNames: readonly string[];
  problems: ProblemMap;
  onChange: (job: Fields) => void;
  onRemove: () => void;
}

const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

/** A host select that still shows a name the config has but the host list lacks. */
function hostOptions(names: readonly string[], current: string) {
  const all = current && !names.includes(current) ? [...names, current] : names;
  return [
    <option key="" value="">
      (choose a host)
    </option>,
    ...all.map((n) => (
      <option key={n} value={n}>
        {names.includes(n) ? n : `${n} (no such host)`}
      </option>
    )),
  ];
}

/** `job-<i>` with `job-name-<i>`, `job-source-<i>`, `job-destination-<i>`, `job-paths-<i>`, schedule, retention and transfer ids. */
export function JobEditor({ index, job, hostNames, problems, onChange, onRemove }: JobEditorProps) {
  const at = (key: string, nested = false) => problemsFor(problems, `jobs[${index}].${key}`, nested);
  const format = (text(job.format) || DEFAULT_FORMAT) as FormatName;
  const set = (key: string, value: unknown) => onChange(withField(job, key, value));
  const destination = isRecord(job.destination) ? job.destination : {};
  const setDestination = (key: string, value: unknown) => set('destination', withField(destination, key, value));
  const paths = Array.isArray(job.paths) ? job.paths.map(text) : [];
  const schedule = typeof job.schedule === 'string' ? job.schedule : undefined;

  return (
    <fieldset className="card editor" data-testid={`job-${index}`}>
      <legend>Job {text(job.name) || '(unnamed)'}</legend>
      <div className="grid">
        <Field label="Name" errors={at('name')}>
          {(c) => (
            <input {...c} data-testid={`job-name-${index}`} value={text(job.name)} onChange={(e) => set('name', e.target.value.trim())} spellCheck={false} />
          )}
        </Field>
        <Field label="Source host" errors={at('source')}>
          {(c) => (
            <select {...c} data-testid={`job-source-${index}`} value={text(job.source)} onChange={(e) => set('source', e.target.value)}>
              {hostOptions(hostNames, text(job.source))}
            </select>
          )}
        </Field>
        <Field label="Destination host" errors={[...at('destination'), ...at('destination.host')]}>
          {(c) => (
            <select {...c} data-testid={`job-destination-${index}`} value={text(destination.host)} onChange={(e) => setDestination('host', e.target.value)}>
              {hostOptions(hostNames, text(destination.host))}
            </select>
          )}
        </Field>
        <Field label="Destination path" errors={at('destination.path')}>
          {(c) => (
            <input
              {...c}
              data-testid={`job-destination-path-${index}`}
              placeholder="e.g. /backups"
              value={text(destination.path)}
              onChange={(e) => setDestination('path', e.target.value)}
              spellCheck={false}
            />
          )}
        </Field>
        <Field label="Holding directory on the source" errors={at('holdingDir')}>
          {(c) => (
            <input
              {...c}
              data-testid={`job-holding-${index}`}
              placeholder="e.g. /var/BACKUPS"
              value={text(job.holdingDir)}
              onChange={(e) => set('holdingDir', e.target.value)}
              spellCheck={false}
            />
          )}
        </Field>
        <Field label="Storage format" errors={at('format')} hint={FORMATS[format]?.description}>
          {(c) => (
            <select {...c} data-testid={`job-format-${index}`} value={format} onChange={(e) => set('format', e.target.value)}>
              {FORMAT_NAMES.map((f) => (
                <option key={f} value={f}>
                  {FORMATS[f].label}
                </option>
              ))}
            </select>
          )}
        </Field>
        {FORMATS[format]?.compresses && (
          <Field label="Compression" errors={at('compression')}>
            {(c) => (
              <select
                {...c}
                data-testid={`job-compression-${index}`}
                value={text(job.compression) || DEFAULT_COMPRESSION}
                onChange={(e) => set('compression', e.target.value)}
              >
                {compressionSchema.options.map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
      </div>
      <Field label="Paths to back up on the source (one per line)" className="wide" errors={at('paths', true)}>
        {(c) => (
          <LinesInput
            {...c}
            data-testid={`job-paths-${index}`}
            rows={3}
            className="mono"
            placeholder={'/var/cvs_repository\n/etc'}
            value={paths}
            onChange={(lines) => set('paths', lines)}
            spellCheck={false}
          />
        )}
      </Field>
      <ScheduleField jobIndex={index} value={schedule} errors={at('schedule')} onChange={(v) => set('schedule', v.trim() === '' ? undefined : v)} />
      <JobRetention index={index} job={job} problems={problems} onChange={onChange} />
      <JobTransfer index={index} job={job} problems={problems} onChange={onChange} />
      <fieldset className="subsection">
        <legend>On a laptop</legend>
        <LaptopFields index={index} job={job} problems={problems} onChange={onChange} />
      </fieldset>
      <div className="actions split">
        <span />
        <button type="button" className="danger" data-testid={`job-remove-${index}`} onClick={onRemove}>
          Remove job
        </button>
      </div>
    </fieldset>
  );
}
