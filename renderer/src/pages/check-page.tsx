/**
 * `burrow check` in the window: each hop of a job tested on its own, with
 * the cause of a failure and the command to try that hop by hand.
 */
import { useId, useState } from 'react';
import type { AppState, BurrowBridge, HopResultView } from '../../../shared/api-contract';
import { CopyableText } from '../components/copy-button';
import { TunnelDiagram } from '../components/tunnel-diagram';
import { checkHops } from '../lib/tunnel-words';
import { useAction } from '../hooks/use-action';

export interface CheckPageProps {
  bridge: BurrowBridge;
  state: AppState;
}

/** Job selector, `check-run`, and one `hop-row` per hop. */
export function CheckPage({ bridge, state }: CheckPageProps) {
  const jobs = state.jobs.map((j) => j.job);
  const [chosen, setJob] = useState(jobs[0] ?? '');
  // A job that left the config cannot be checked: fall back to the first one.
  const job = jobs.includes(chosen) ? chosen : (jobs[0] ?? '');
  const [hops, setHops] = useState<HopResultView[] | undefined>();
  const { busy: checking, message: error, run: act } = useAction();
  const selectId = useId();

  async function run() {
    setHops(undefined);
    await act(async () => {
      setHops(await bridge.check({ job }));
    });
  }

  const failed = hops?.filter((h) => h.status === 'fail').length ?? 0;
  const jobStatus = state.jobs.find((j) => j.job === job);
  const diagram = hops ? checkHops(hops) : undefined;

  return (
    <section className="page" aria-labelledby="check-title">
      <div className="page-head">
        <h2 id="check-title">Check</h2>
      </div>
      <p className="muted">
        Tests every hop of a job on its own: laptop to source, laptop to destination, the tunnel, the destination path and rsync at both ends.
      </p>
      {jobs.length === 0 ? (
        <p>No jobs to check yet: add one in Settings.</p>
      ) : (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void run();
          }}
        >
          <label htmlFor={selectId}>Job</label>
          <select id={selectId} data-testid="check-job" value={job} onChange={(e) => setJob(e.target.value)}>
            {jobs.map((j) => (
              <option key={j} value={j}>
                {j}
              </option>
            ))}
          </select>
          <button type="submit" className="primary" data-testid="check-run" disabled={checking || job === ''}>
            {checking ? 'Checking…' : 'Run check'}
          </button>
        </form>
      )}
      {error ? (
        <p className="error-text" role="alert">
          {error}
        </p>
      ) : null}
      {hops ? (
        <>
          <p role="status" data-testid="check-summary">
            {failed === 0 ? 'Every hop answered.' : `${failed} hop${failed === 1 ? '' : 's'} failed.`}
          </p>
          {diagram ? (
            <TunnelDiagram
              testId="check-diagram"
              source={jobStatus?.source}
              destination={jobStatus?.destination}
              toSource={diagram.toSource}
              toDestination={diagram.toDestination}
              port={diagram.port}
            />
          ) : null}
          <ul className="hops">
            {hops.map((hop) => (
              <li key={hop.hop} className={`hop hop-${hop.status}`} data-testid="hop-row" data-status={hop.status}>
                <div className="hop-head">
                  <span className={`badge badge-${hop.status}`}>{hop.status}</span>
                  <strong>{hop.hop}</strong>
                </div>
                {hop.cause ? <p className="hop-cause">{hop.cause}</p> : null}
                <CopyableText text={hop.command} what={`command for ${hop.hop}`} />
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
