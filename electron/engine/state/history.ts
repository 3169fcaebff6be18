/**
 * Burrow's durable memory: every run (at its start and at its end), every
 * missed slot with its cause, which run caught it up, schedule pauses, and
 * stale warnings. One append-only journal; read once, kept in memory.
 */
import type { MissedCause } from '../../../shared/missed-slots';
import type { RunRecord } from '../../../shared/run-types';
import { Journal } from './journal';

export interface MissedEntry {
  t: 'missed';
  job: string;
  slot: string;
  cause: MissedCause;
  detectedAt: string;
}

export type HistoryEntry =
  | { t: 'run'; run: RunRecord }
  | MissedEntry
  | { t: 'caught-up'; job: string; slots: string[]; runId: string; at: string }
  | { t: 'pause'; paused: boolean; at: string }
  | { t: 'stale'; job: string; lastSuccess?: string; at: string }
  | { t: 'checked'; job: string; until: string }
  | VerifyEntry;

export interface VerifyEntry {
  t: 'verify';
  job: string;
  at: string;
  results: { name: string; ok: boolean; problems: string[] }[];
}

export interface MissedSlotView extends MissedEntry {
  caughtUpBy?: string;
}

export class History {
  private readonly runs = new Map<string, RunRecord>();
  private readonly missed = new Map<string, MissedSlotView>();
  private readonly pauses: { paused: boolean; at: string }[] = [];
  private readonly stale = new Map<string, { t: 'stale'; job: string; lastSuccess?: string; at: string }>();
  private readonly checked = new Map<string, string>();
  private readonly verified = new Map<string, Map<string, { ok: boolean; problems: string[]; at: string }>>();
  private readonly verifyEntries: VerifyEntry[] = [];
  damaged = 0;

  private constructor(private readonly journal: Journal<HistoryEntry>) {}

  static async open(path: string, warn?: (m: string) => void): Promise<History> {
    const journal = new Journal<HistoryEntry>(path, warn);
    const h = new History(journal);
    const r = await journal.read();
    h.damaged = r.damaged;
    for (const e of r.entries) h.apply(e);
    return h;
  }

  private apply(e: HistoryEntry): void {
    switch (e.t) {
      case 'run':
        this.runs.set(e.run.id, e.run);
        break;
      case 'missed':
        this.missed.set(`${e.job} ${e.slot}`, { ...e });
        break;
      case 'caught-up':
        for (const slot of e.slots) {
          const m = this.missed.get(`${e.job} ${slot}`);
          if (m) m.caughtUpBy = e.runId;
        }
        break;
      case 'pause':
        this.pauses.push({ paused: e.paused, at: e.at });
        break;
      case 'stale':
        this.stale.set(e.job, e);
        break;
      case 'checked':
        this.checked.set(e.job, e.until);
        break;
      case 'verify': {
        this.verifyEntries.push(e);
        const byName = this.verified.get(e.job) ?? new Map();
        for (const r of e.results) byName.set(r.name, { ok: r.ok, problems: r.problems, at: e.at });
        this.verified.set(e.job, byName);
        break;
      }
    }
  }

  async add(e: HistoryEntry): Promise<void> {
    await this.journal.append(e);
    this.apply(e);
  }

  recordRun(run: RunRecord): Promise<void> {
    return this.add({ t: 'run', run: structuredClone(run) });
  }

  /** Runs, newest first. */
  listRuns(filter: { job?: string; from?: Date; to?: Date; limit?: number } = {}): RunRecord[] {
    const from = filter.from?.getTime() ?? -Infinity;
    const to = filter.to?.getTime() ?? Infinity;
    const out = [...this.runs.values()]
      .filter((r) => (filter.job === undefined || r.job === filter.job) && Date.parse(r.startedAt) >= from && Date.parse(r.startedAt) <= to)
      .sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
    return filter.limit === undefined ? out : out.slice(0, filter.limit);
  }

  getRun(id: string): RunRecord | undefined {
    return this.runs.get(id);
  }

  lastSuccess(job: string): RunRecord | undefined {
    return this.listRuns({ job }).find((r) => r.status === 'succeeded');
  }

  missedSlots(job?: string): MissedSlotView[] {
    return [...this.missed.values()].filter((m) => job === undefined || m.job === job).sort((a, b) => a.slot.localeCompare(b.slot));
  }

  outstanding(job: string): MissedSlotView[] {
    return this.missedSlots(job).filter((m) => m.caughtUpBy === undefined);
  }

  /** Pause intervals in ms, for missed-slot classification. */
  pauseIntervals(): { from: number; to?: number }[] {
    const out: { from: number; to?: number }[] = [];
    for (const p of this.pauses) {
      const last = out[out.length - 1];
      if (p.paused && (!last || last.to !== undefined)) out.push({ from: Date.parse(p.at) });
      if (!p.paused && last && last.to === undefined) last.to = Date.parse(p.at);
    }
    return out;
  }

  isPaused(): boolean {
    return this.pauses[this.pauses.length - 1]?.paused === true;
  }

  lastStale(job: string) {
    return this.stale.get(job);
  }

  /** `burrow verify` runs, newest first. */
  verifyRuns(job?: string): VerifyEntry[] {
    return this.verifyEntries.filter((e) => job === undefined || e.job === job).sort((a, b) => b.at.localeCompare(a.at));
  }

  /** The latest verify result of each archive of a job. */
  verifications(job: string): Map<string, { ok: boolean; problems: string[]; at: string }> {
    return new Map(this.verified.get(job) ?? []);
  }

  checkedUntil(job: string): string | undefined {
    return this.checked.get(job);
  }
}
