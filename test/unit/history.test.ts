import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { History } from '../../electron/engine/state/history';
import type { RunRecord } from '../../shared/run-types';

function record(i: number, status: RunRecord['status']): RunRecord {
  const start = new Date(Date.UTC(2025, 0, 1, 12, 30) + i * 86_400_000);
  return {
    id: `run-${i}`,
    job: i % 2 ? 'etc' : 'cvs',
    trigger: 'schedule',
    status,
    startedAt: start.toISOString(),
    endedAt: new Date(start.getTime() + 60_000).toISOString(),
    stamp: '20250101',
    steps: [{ name: 'transfer', status: status === 'succeeded' ? 'ok' : 'failed', durationMs: 4000, bytes: 1e6 }],
  };
}

describe('history', () => {
  it('holds two years of daily runs and answers last N, last success (skipping failures) and date ranges', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'burrow-history-')), 'history.jsonl');
    const h = await History.open(path);
    for (let i = 0; i < 2 * 730; i++) await h.recordRun(record(i, i % 7 === 6 || i === 1459 ? 'failed' : 'succeeded'));
    const again = await History.open(path);
    expect(again.listRuns().length).toBe(1460);
    expect(again.listRuns({ limit: 3 }).map((r) => r.id)).toEqual(['run-1459', 'run-1458', 'run-1457']);
    expect(again.lastSuccess('cvs')?.id).toBe('run-1458');
    expect(again.lastSuccess('etc')?.id).toBe('run-1457');
    const range = again.listRuns({ from: new Date(Date.UTC(2025, 5, 1)), to: new Date(Date.UTC(2025, 5, 30, 23)) });
    expect(range).toHaveLength(30);
  });

  it('keeps the latest version of a run recorded at its start and its end', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'burrow-history-')), 'history.jsonl');
    const h = await History.open(path);
    await h.recordRun(record(1, 'running'));
    await h.recordRun(record(1, 'succeeded'));
    const again = await History.open(path);
    expect(again.listRuns().map((r) => r.status)).toEqual(['succeeded']);
  });
});
