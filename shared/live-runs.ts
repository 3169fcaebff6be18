/**
 * The runs under way, folded from engine events: what the status window and
 * the tray show live. Pure; the engine's app service keeps one and the
 * renderer applies the same fold to the state it was last pushed.
 *
 * Two rules for partial tunnel events: `port: 0` (or none) means the port is
 * not known yet, so the last bound port stays; an event without
 * `connections` leaves the count alone while the tunnel is up, and a tunnel
 * that is not up has no connections to count.
 */
import type { LiveRun } from './api-contract';
import type { EngineEvent } from './engine-events';

/** The live runs after one event. Never mutates its input; unrelated events return it as it was. */
export function applyRunEvent(live: Record<string, LiveRun>, e: EngineEvent): Record<string, LiveRun> {
  switch (e.type) {
    case 'run-started':
      return {
        ...live,
        [e.run.job]: { runId: e.run.id, job: e.run.job, trigger: e.run.trigger, startedAt: e.run.startedAt, steps: e.run.steps, tunnel: { state: 'down' } },
      };
    case 'run-finished': {
      if (live[e.run.job]?.runId !== e.run.id) return live;
      const next = { ...live };
      delete next[e.run.job];
      return next;
    }
    default:
      break;
  }
  if (!('runId' in e)) return live;
  const entry = Object.entries(live).find(([, r]) => r.runId === e.runId);
  if (!entry) return live;
  const [job, run] = entry;
  switch (e.type) {
    case 'step': {
      const known = run.steps.some((s) => s.name === e.step.name);
      const steps = known ? run.steps.map((s) => (s.name === e.step.name ? e.step : s)) : [...run.steps, e.step];
      return { ...live, [job]: { ...run, steps } };
    }
    case 'tunnel': {
      const tunnel: LiveRun['tunnel'] = { state: e.state };
      const port = e.port || run.tunnel.port;
      if (port) tunnel.port = port;
      const connections = e.connections ?? run.tunnel.connections;
      if (e.state === 'up' && connections !== undefined) tunnel.connections = connections;
      return { ...live, [job]: { ...run, tunnel } };
    }
    case 'progress':
      return { ...live, [job]: { ...run, progress: e.progress } };
    default:
      return live;
  }
}
