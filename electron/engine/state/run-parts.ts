/**
 * How a run record is stored: a small summary row (what lists, status and
 * paging need) and the rest in named parts kept apart, each deflated with a
 * CRC-32 of its stored bytes. A part is registered here once: what it takes
 * out of the record and how it puts it back. Adding one (say, the list of
 * files a run verified) is one entry in PARTS.
 */
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import type { RunRecord, RunSummary } from '../../../shared/run-types';

interface PartSpec {
  /** Takes the part out of `rec` (mutating it); undefined when the record has none. */
  take(rec: RunRecord): unknown;
  /** Puts a stored part back into `rec`. */
  put(rec: RunRecord, value: unknown): void;
}

/**
 * The parts, in the order they are put back. `record` is what is left of
 * the record once the others are taken out (steps, plan, packed...).
 */
const PARTS: Record<string, PartSpec> = {
  log: {
    take(rec) {
      const log = rec.log;
      // Left in place empty, so the record's keys keep their order when the log is put back.
      if (log) rec.log = [];
      return log && log.length > 0 ? log : undefined;
    },
    put(rec, value) {
      rec.log = value as RunRecord['log'];
    },
  },
  files: {
    take(rec) {
      if (!rec.transfer) return undefined;
      const { transferred, deleted } = rec.transfer;
      rec.transfer = { ...rec.transfer, transferred: [], deleted: [] };
      return transferred.length + deleted.length > 0 ? { transferred, deleted } : undefined;
    },
    put(rec, value) {
      if (rec.transfer) Object.assign(rec.transfer, value as { transferred: string[]; deleted: string[] });
    },
  },
};

export interface StoredPart {
  part: string;
  body: Buffer;
  crc: number;
}

/** The summary row's JSON, in the shape lists and the History page show. */
export function summarize(run: RunRecord): RunSummary {
  const s: RunSummary = { id: run.id, job: run.job, trigger: run.trigger, status: run.status, startedAt: run.startedAt, stamp: run.stamp };
  if (run.slot) s.slot = run.slot;
  if (run.endedAt) s.endedAt = run.endedAt;
  if (run.transfer) s.bytesSent = run.transfer.bytesSent;
  if (run.destination) s.destination = run.destination;
  if (run.error) s.error = run.error;
  return s;
}

export function encodePart(part: string, value: unknown): StoredPart {
  const body = deflateRawSync(Buffer.from(JSON.stringify(value)), { level: 1 });
  return { part, body, crc: crc32(body) };
}

/** The part's value, or undefined when its bytes fail their CRC (damage). */
export function decodePart(body: Buffer, crc: number): { ok: true; value: unknown } | { ok: false } {
  if (crc32(body) !== crc) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(inflateRawSync(body).toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

/** Splits a run into its stored parts; `record` always comes first. */
export function splitRun(run: RunRecord): StoredPart[] {
  const rest = structuredClone(run);
  const out: StoredPart[] = [];
  for (const [name, spec] of Object.entries(PARTS)) {
    const value = spec.take(rest);
    if (value !== undefined) out.push(encodePart(name, value));
  }
  return [encodePart('record', rest), ...out];
}

/** Puts a run back together from its parts (`record` must be among them). */
export function joinRun(parts: Map<string, unknown>): RunRecord | undefined {
  const rec = parts.get('record') as RunRecord | undefined;
  if (!rec) return undefined;
  for (const [name, spec] of Object.entries(PARTS)) {
    if (parts.has(name)) spec.put(rec, parts.get(name));
  }
  return rec;
}

export function summaryCrc(text: string): number {
  return crc32(text);
}
