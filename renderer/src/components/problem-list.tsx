/**
 * Config problems as a list, one line each, in the words `burrow run` uses.
 */
import type { ConfigProblem } from '../../../shared/config-schema';
import { formatProblems } from '../../../shared/config-schema';

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
          <li key={`${i}:${p.field}`}>
            <code>{formatProblems([p])}</code>
          </li>
        ))}
      </ul>
    </div>
  );
}
