/**
 * The home page of a configured Burrow: anything that needs attention, then
 * one card per job.
 */
import type { AppState, BurrowBridge } from '../../../shared/api-contract';
import { AlertStatus } from '../components/alert-status';
import { AttentionBanners } from '../components/attention-banners';
import { JobCard } from '../components/job-card';
import { useAction } from '../hooks/use-action';
import { useNow } from '../hooks/use-now';

export interface StatusPageProps {
  bridge: BurrowBridge;
  state: AppState;
  onOpenRun: (runId: string) => void;
}

/** Banners, the schedule switch and the job cards. */
export function StatusPage({ bridge, state, onOpenRun }: StatusPageProps) {
  const anyLive = Object.keys(state.live).length > 0;
  // Tick every second while something runs (step timers), every half minute otherwise ("3 h ago").
  const now = useNow(anyLive ? 1000 : 30_000);
  const { busy, message, run: act } = useAction();

  const runJobs = (jobs: string[]) =>
    act(async () => {
      const results = await Promise.all(jobs.map((job) => bridge.runNow({ job })));
      const refused = results.filter((r) => !r.started).map((r) => r.message ?? 'a run did not start');
      // Run now overrides the laptop rules, and says so.
      const warned = results.flatMap((r) => (r.started && r.warning ? [r.warning] : []));
      return [...refused, ...warned].join(' ') || undefined;
    });
  const setPaused = (paused: boolean) =>
    act(async () => {
      await bridge.setPaused({ paused });
      return undefined;
    });

  return (
    <section className="page" aria-labelledby="status-title">
      <div className="page-head">
        <h2 id="status-title">Status</h2>
        {!state.paused && state.scheduling !== false ? (
          <button type="button" data-testid="pause-schedule" disabled={busy} onClick={() => setPaused(true)}>
            Pause schedule
          </button>
        ) : null}
      </div>
      <AttentionBanners jobs={state.jobs} paused={state.paused} now={now} busy={busy} onRunNow={runJobs} onResume={() => setPaused(false)} />
      <AlertStatus channels={state.alerts} jobs={state.jobs} now={now} />
      {message ? (
        <p className="notice" role="status">
          {message}
        </p>
      ) : null}
      {state.jobs.length === 0 ? <p className="muted">No jobs yet: add one in Settings.</p> : null}
      <div className="cards">
        {state.jobs.map((job) => (
          <JobCard key={job.job} bridge={bridge} job={job} live={state.live[job.job]} now={now} scheduling={state.scheduling !== false} onOpenRun={onOpenRun} />
        ))}
      </div>
    </section>
  );
}
