/**
 * The runs under way, folded from engine events: what the status window and
 * the tray show live. Pure; the main process and the web bridge keep one.
 */
import type { LiveRun } from './api-contract';
import type { EngineEvent } from './engine-events';

export function applyRunEvent(live: Record<string, LiveRun>, e: EngineEvent): Record<string, LiveRun> {
  switch (e.type) {
    case 'run-started':
      return {
        ...live,
        [e.run.job]: { runId: e.run.id, job: e.run.job, trigger: e.run.trigger, startedAt: e.run.startedAt, steps: e.run.steps, tunnel: { state: 'down' } },
      };
    case 'run-finished': {
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
    case 'step':
      return { ...live, [job]: { ...run, steps: run.steps.map((s) => (s.name === e.step.name ? e.step : s)) } };
    case 'tunnel': {
      const tunnel: LiveRun['tunnel'] = { state: e.state };
      const port = e.port || run.tunnel.port;
      if (port) tunnel.port = port;
      const connections = e.connections ?? run.tunnel.connections;
      if (connections !== undefined) tunnel.connections = connections;
      return { ...live, [job]: { ...run, tunnel } };
    }
    case 'progress':
      return { ...live, [job]: { ...run, progress: e.progress } };
    default:
      return live;
  }
}
