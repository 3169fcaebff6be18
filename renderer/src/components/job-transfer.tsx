/**
 * How a job's backups travel and are packed: the tunnel port, a bandwidth
 * limit for the relayed link, packing with sudo, and the rsync program at
 * the destination.
 */
import { formatSpeed } from '../lib/format';
import { isRecord, parseNumberInput, withField, type Fields } from '../lib/config-draft';
import { problemsFor, type ProblemMap } from '../lib/problems';
import { Field } from './field';

export interface JobTransferProps {
  index: number;
  job: Fields;
  problems: ProblemMap;
  onChange: (job: Fields) => void;
}

const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

/** `job-tunnelport-<i>`, `job-bwlimit-<i>`, `job-sudo-<i>`, `job-rsyncpath-<i>`. */
export function JobTransfer({ index, job, problems, onChange }: JobTransferProps) {
  const at = (key: string) => problemsFor(problems, `jobs[${index}].${key}`);
  const set = (key: string, value: unknown) => onChange(withField(job, key, value));
  const destination = isRecord(job.destination) ? job.destination : {};
  const limit = typeof job.bwlimitKiBps === 'number' ? job.bwlimitKiBps : 0;

  return (
    <fieldset className="subsection">
      <legend>Transfer</legend>
      <div className="grid">
        <Field label="Tunnel port on the source" errors={at('tunnelPort')} hint="0 or blank: the source picks a free port for each run.">
          {(c) => (
            <input
              {...c}
              data-testid={`job-tunnelport-${index}`}
              inputMode="numeric"
              placeholder="0"
              value={text(job.tunnelPort)}
              onChange={(e) => set('tunnelPort', parseNumberInput(e.target.value))}
            />
          )}
        </Field>
        <Field
          label="Bandwidth limit (KiB/s)"
          errors={at('bwlimitKiBps')}
          hint={limit > 0 ? `At most ${formatSpeed(limit * 1024)} through the tunnel.` : '0 or blank: as fast as the link goes.'}
        >
          {(c) => (
            <input
              {...c}
              data-testid={`job-bwlimit-${index}`}
              inputMode="numeric"
              placeholder="0"
              value={text(job.bwlimitKiBps)}
              onChange={(e) => set('bwlimitKiBps', parseNumberInput(e.target.value))}
            />
          )}
        </Field>
        <Field
          label="rsync program on the destination"
          errors={at('destination.rsyncPath')}
          hint="Blank: rsync from the PATH. For a wrapper such as sudo rsync, give its path."
        >
          {(c) => (
            <input
              {...c}
              data-testid={`job-rsyncpath-${index}`}
              className="mono"
              placeholder="rsync"
              value={text(destination.rsyncPath)}
              onChange={(e) => set('destination', withField(destination, 'rsyncPath', e.target.value.trim()))}
              spellCheck={false}
            />
          )}
        </Field>
      </div>
      <div className="check-field">
        <label>
          <input
            type="checkbox"
            data-testid={`job-sudo-${index}`}
            checked={job.sudo === true}
            onChange={(e) => set('sudo', e.target.checked ? true : undefined)}
            aria-describedby={`job-sudo-hint-${index}`}
          />
          Pack with sudo
        </label>
        <p className="hint" id={`job-sudo-hint-${index}`}>
          For paths the login cannot read: packs with <code>sudo -n</code>, so the source needs a sudoers rule without a password.
        </p>
        {at('sudo').length > 0 ? <p className="field-error">{at('sudo').join('; ')}</p> : null}
      </div>
    </fieldset>
  );
}
