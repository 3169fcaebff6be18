/**
 * Whether anything else was competing for the machine while the bench ran:
 * other Burrow labs (test runs start them too) and the load average. The
 * figures are only comparable when this is quiet, so the report says so.
 */
import { readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { labParentDir } from '../electron/lab/lab-state';

/** What the watcher saw. */
export interface Neighbours {
  /** Ids of other labs seen at any sample. */
  otherLabs: string[];
  /** The bench phases during which another lab was seen. */
  disturbedPhases: string[];
  /** Highest 1-minute load average seen at a sample. */
  maxLoad1: number;
  samples: number;
}

function otherLabIds(ownId: string): string[] {
  try {
    return readdirSync(labParentDir())
      .map((n) => /^burrow-lab-([0-9a-f]{4})$/.exec(n)?.[1])
      .filter((id): id is string => id !== undefined && id !== ownId);
  } catch {
    return [];
  }
}

/** Samples every `everyMs` until stopped; never keeps the process alive. `phase()` names what runs now. */
export function watchNeighbours(ownId: string, everyMs = 5000): { phase(name: string): void; stop(): Neighbours } {
  const seen = new Set<string>();
  const disturbed = new Set<string>();
  let current = 'start';
  let maxLoad1 = 0;
  let samples = 0;
  const sample = () => {
    samples++;
    const others = otherLabIds(ownId);
    for (const id of others) seen.add(id);
    if (others.length > 0) disturbed.add(current);
    maxLoad1 = Math.max(maxLoad1, loadavg()[0]!);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  timer.unref();
  return {
    phase: (name) => {
      sample();
      current = name;
    },
    stop: () => {
      clearInterval(timer);
      sample();
      return { otherLabs: [...seen].sort(), disturbedPhases: [...disturbed], maxLoad1, samples };
    },
  };
}
