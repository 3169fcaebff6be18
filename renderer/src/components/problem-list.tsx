/**
 * Config problems as a list, one sentence each, fields named by their labels
 * ("Host “source”: port must be between 1 and 65535"), in the words
 * `burrow run` uses; the field's path in the config file is the tooltip.
 */
import type { ConfigProblem } from '../../../shared/config-schema';
import { problemSentence } from '../../../shared/config-words';

export interface ProblemListProps {
  problems: readonly ConfigProblem[];
  title?: string;
  testId?: string;
  /** Announce the list at once (a failed save); a list that follows typing stays quiet. */
  alert?: boolean;
}

/** Nothing when there are no problems. */
export function ProblemList({ problems, title = 'Problems', testId, alert = false }: ProblemListProps) {
  if (problems.length === 0) return null;
  return (
    <div className="problems" data-testid={testId} role={alert ? 'alert' : undefined}>
      <p>
        <strong>{title}</strong>
      </p>
      <ul>
        {problems.map((p, i) => (
          // Two problems can share field and text (the schema repeats itself for unions), so the index keeps keys unique.
          <li key={`${i}:${p.field}`} title={`${p.field}${p.value !== undefined ? ` = ${p.value}` : ''}`}>
            {problemSentence(p)}
            {p.value !== undefined && p.value !== 'missing' && p.value !== '""' ? <span className="muted"> (it is {p.value})</span> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
