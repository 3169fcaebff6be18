/**
 * `burrow history --status/--since`: the filters reach the store, and a
 * value that is not one is refused by name (exit 2), before the history is read.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../electron/cli/main';
import { History } from '../../electron/engine/state/history';
import type { RunRecord } from '../../shared/run-types';

function record(i: number, status: RunRecord['status']): RunRecord {
  const start = new Date(Date.UTC(2026, 10, 1, 12, 30) + i * 86_400_000);
  return {
    id: `run-${i}`,
    job: 'etc',
    trigger: 'schedule',
    status,
    startedAt: start.toISOString(),
    endedAt: new Date(start.getTime() + 60_000).toISOString(),
    stamp: '20261101',
    steps: [],
  };
}

async function burrow(...args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`), isTTY: false });
  return { code, out, err };
}

describe('burrow history filters', () => {
  const saved = { state: process.env.XDG_STATE_HOME, tz: process.env.TZ };
  beforeAll(async () => {
    process.env.XDG_STATE_HOME = mkdtempSync(join(tmpdir(), 'burrow-history-cli-'));
    process.env.TZ = 'UTC';
    const h = await History.open(join(process.env.XDG_STATE_HOME, 'burrow'));
    // 20 days from 1 November: every 5th run failed, the 7th was cancelled.
    await h.addAll(Array.from({ length: 20 }, (_, i) => ({ t: 'run' as const, run: record(i, i % 5 === 4 ? 'failed' : i === 6 ? 'cancelled' : 'succeeded') })));
    h.close();
  });
  afterAll(() => {
    for (const [k, v] of [
      ['XDG_STATE_HOME', saved.state],
      ['TZ', saved.tz],
    ] as const)
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  });

  it('--status failed lists only the failed runs, newest first', async () => {
    const r = await burrow('history', '--status', 'failed', '--json');
    expect(r.code).toBe(0);
    const runs = JSON.parse(r.out) as RunRecord[];
    expect(runs.map((x) => x.id)).toEqual(['run-19', 'run-14', 'run-9', 'run-4']);
  });

  it('--since a day starts at that day; with --status both hold', async () => {
    const since = JSON.parse((await burrow('history', '--since', '2026-11-15', '--json')).out) as RunRecord[];
    expect(since.map((x) => x.id)).toEqual(['run-19', 'run-18', 'run-17', 'run-16', 'run-15', 'run-14']);
    const both = await burrow('history', '--since', '2026-11-15', '--status', 'failed');
    expect(both.out.trim().split('\n')).toHaveLength(2);
    for (const line of both.out.trim().split('\n')) expect(line).toMatch(/ failed /);
    expect((await burrow('history', '--since', '2026-12-30')).out.trim()).toBe('no runs match');
  });

  it('refuses a status or a day that is not one, naming it', async () => {
    const bad = await burrow('history', '--status', 'ok');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--status ok: must be one of running, succeeded, failed, cancelled');
    const day = await burrow('history', '--since', 'last tuesday');
    expect(day.code).toBe(2);
    expect(day.err).toContain('--since last tuesday: must be a day');
  });
});
