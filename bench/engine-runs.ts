/**
 * Measurement 4 through the engine itself: a day-1 and a day-2 `BackupRun`
 * per variant (via the test fixtures' `runJob`), timed by the run record's
 * own step durations, bytes from its `transfer.bytesSent`. The job options
 * `format` and the new compression choices are used only when the config
 * schema has them; a variant the schema rejects is reported, not hidden.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../shared/clock';
import type { RunRecord, StepName } from '../shared/run-types';
import type { Lab } from '../electron/lab/lab';
import { day, labConfig, runJob, type JobOverrides } from '../test/engine/fixtures';

/** One engine variant. */
export interface EngineVariant {
  key: string;
  label: string;
  /** Which hand-made method it corresponds to (for bytes side by side). */
  method: string;
  overrides: JobOverrides;
}

/**
 * The engine's formats. The engine picks the compressor
 * program itself (lbzip2, pigz, zstd -T0 where installed); the run log says
 * which, and the report shows it.
 */
export function engineVariants(): EngineVariant[] {
  return [
    { key: 'engine-archive-bzip2', label: 'Burrow engine: archive, bzip2', method: 'archive-bzip2', overrides: { format: 'archive', compression: 'bzip2' } },
    { key: 'engine-archive-gzip', label: 'Burrow engine: archive, gzip', method: 'archive-gzip', overrides: { format: 'archive', compression: 'gzip' } },
    { key: 'engine-archive-zstd', label: 'Burrow engine: archive, zstd', method: 'archive-zstd', overrides: { format: 'archive', compression: 'zstd' } },
    { key: 'engine-snapshot', label: 'Burrow engine: snapshot', method: 'snapshot-z', overrides: { format: 'snapshot' } },
  ];
}

/** Day-2 figures of one variant, or why there are none. */
export interface EngineResult {
  key: string;
  label: string;
  method: string;
  ok: boolean;
  error?: string;
  /** The compressor program the pack step reports having used. */
  program?: string;
  /** Step durations of the day-2 run, seconds. */
  steps?: Partial<Record<StepName, number>>;
  packSeconds?: number;
  transferSeconds?: number;
  verifySeconds?: number;
  /** Every step of the day-2 run, connect to teardown. */
  runSeconds?: number;
  bytesSentDay1?: number;
  bytesSentDay2?: number;
}

/** Runs the variants' day-1 runs now and their day-2 runs when `day2` is called. */
export class EngineRuns {
  private readonly results = new Map<string, EngineResult>();
  /** The day-2 runs' records as the engine finished them (the idle bench copies them into a long history). */
  readonly day2Records: RunRecord[] = [];

  constructor(
    private readonly lab: Lab,
    private readonly treePath: string,
    readonly variants: EngineVariant[] = engineVariants(),
  ) {}

  private config(v: EngineVariant) {
    const holdingDir = join(this.lab.source.home, 'holding', v.key);
    const destPath = join(this.lab.destination.home, 'backups', v.key);
    return labConfig(
      this.lab,
      { ...v.overrides, paths: [this.treePath], holdingDir, destination: { host: 'destination', path: destPath } },
      { rsync: { timeoutSec: 120 } },
    );
  }

  private async dirs(v: EngineVariant): Promise<void> {
    const holdingDir = join(this.lab.source.home, 'holding', v.key);
    const destPath = join(this.lab.destination.home, 'backups', v.key);
    mkdirSync(holdingDir, { recursive: true });
    mkdirSync(destPath, { recursive: true });
    await this.lab.source.own(holdingDir);
    await this.lab.destination.own(destPath);
  }

  private fail(v: EngineVariant, err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.results.set(v.key, { key: v.key, label: v.label, method: v.method, ok: false, error: message.split('\n')[0]!.slice(0, 300) });
    console.warn(`bench: ${v.key}: ${message}`);
  }

  private async run(v: EngineVariant, n: number): Promise<RunRecord> {
    const { record } = await runJob(this.config(v), { clock: new ManualClock(day(n)), priorSuccess: n > 0 });
    if (record.status !== 'succeeded') throw new Error(`day-${n + 1} run ${record.status}: ${record.error?.message ?? 'no error recorded'}`);
    return record;
  }

  async day1(): Promise<void> {
    for (const v of this.variants) {
      try {
        await this.dirs(v);
        const record = await this.run(v, 0);
        this.results.set(v.key, { key: v.key, label: v.label, method: v.method, ok: true, bytesSentDay1: record.transfer?.bytesSent });
        console.log(`bench: ${v.key} day 1: ${seconds(record)} s`);
      } catch (err) {
        this.fail(v, err);
      }
    }
  }

  async day2(): Promise<EngineResult[]> {
    for (const v of this.variants) {
      const prior = this.results.get(v.key);
      if (!prior?.ok) continue;
      try {
        const record = await this.run(v, 1);
        this.day2Records.push(record);
        const steps: Partial<Record<StepName, number>> = {};
        for (const s of record.steps) if (s.durationMs !== undefined) steps[s.name] = s.durationMs / 1000;
        this.results.set(v.key, {
          ...prior,
          steps,
          packSeconds: steps.pack ?? 0,
          transferSeconds: steps.transfer ?? 0,
          verifySeconds: steps.verify ?? 0,
          runSeconds: Object.values(steps).reduce((a, b) => a + b, 0),
          bytesSentDay2: record.transfer?.bytesSent,
          ...programOf(record),
        });
        console.log(`bench: ${v.key} day 2: ${seconds(record)} s`);
      } catch (err) {
        this.fail(v, err);
      }
    }
    return this.variants.map((v) => this.results.get(v.key)!);
  }
}

function programOf(r: RunRecord): { program?: string } {
  const m = r.log?.map((l) => /compressed with (\S+)/.exec(l.message)).find((x) => x !== null);
  return m ? { program: m[1]! } : {};
}

function seconds(r: RunRecord): string {
  return (r.steps.reduce((a, s) => a + (s.durationMs ?? 0), 0) / 1000).toFixed(1);
}
