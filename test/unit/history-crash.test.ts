/**
 * The history store keeps the journal's promises: a kill -9 in the middle of
 * writes loses nothing that was written before; a torn last write loses at
 * most that record; damage in the middle of the file is copied aside before
 * anything else is written, and everything else still reads; a full disk is
 * a clear error that loses nothing, and writing works again once there is
 * space. Real processes, real files, a real tmpfs.
 */
import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { History } from '../../electron/engine/state/history';
import { encodeLine } from '../../electron/engine/state/journal';
import type { RunRecord } from '../../shared/run-types';

const HISTORY_TS = JSON.stringify(join(import.meta.dirname, '../../electron/engine/state/history.ts'));

/** A finished run; `noise` bytes of incompressible log make it span pages. */
function run(i: number, noise = 0): RunRecord {
  const start = new Date(Date.UTC(2025, 0, 1, 12, 30) + i * 60_000).toISOString();
  return {
    id: `run-${String(i).padStart(6, '0')}`,
    job: `job-${i % 5}`,
    trigger: 'schedule',
    status: 'succeeded',
    startedAt: start,
    endedAt: start,
    stamp: '20250101',
    steps: [{ name: 'transfer', status: 'ok', durationMs: 1000 }],
    ...(noise ? { log: [{ at: start, level: 'info' as const, message: randomBytes(noise).toString('base64') }] } : {}),
  };
}

const ids = (h: History) =>
  h
    .listRuns()
    .map((r) => Number(r.id.slice(4)))
    .sort((a, b) => a - b);

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'burrow-history-'));
}

function integrity(dir: string): string {
  const db = new Database(join(dir, 'history.db'), { readonly: true });
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

/** Runs a child that records runs 0, 1, 2, ... through the store; `then` says what it does after `count` (or forever). */
function writer(dir: string, opts: { count?: number; noise: number; ready: number }) {
  const script = join(dir, 'writer.mts');
  writeFileSync(
    script,
    `import { randomBytes } from 'node:crypto';
import { History } from ${HISTORY_TS};
const h = await History.open(process.argv[2]);
const count = ${opts.count ?? 'Infinity'};
for (let i = 0; i < count; i++) {
  const start = new Date(Date.UTC(2025, 0, 1, 12, 30) + i * 60_000).toISOString();
  await h.recordRun({ id: 'run-' + String(i).padStart(6, '0'), job: 'job-' + (i % 5), trigger: 'schedule', status: 'succeeded', startedAt: start, endedAt: start,
    stamp: '20250101', steps: [{ name: 'transfer', status: 'ok', durationMs: 1000 }], log: [{ at: start, level: 'info', message: randomBytes(${opts.noise}).toString('base64') }] });
  if (i === ${opts.ready}) process.stdout.write('ready\\n');
}
// Dies without closing: what is on disk is what a crash leaves.
process.kill(process.pid, 'SIGKILL');
`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = new Promise<void>((resolve) => child.stdout.on('data', (b: Buffer) => b.toString().includes('ready') && resolve()));
  const exited = new Promise((r) => child.once('exit', r));
  return { child, ready, exited };
}

describe('the history store after a crash', () => {
  it('reads back every record written before a kill -9 in the middle of writes, in order', async () => {
    const dir = tempDir();
    const w = writer(dir, { noise: 20_000, ready: 20 });
    await w.ready;
    w.child.kill('SIGKILL');
    await w.exited;
    const warnings: string[] = [];
    const h = await History.open(dir, (m) => warnings.push(m));
    const got = ids(h);
    expect(got.length).toBeGreaterThan(20);
    expect(got).toEqual(got.map((_, i) => i)); // every earlier record, none missing
    expect(h.getRun('run-000010')?.log?.[0]?.message.length).toBeGreaterThan(20_000);
    await h.recordRun(run(100_000));
    h.close();
    expect(integrity(dir)).toBe('ok');
    expect(warnings).toEqual([]);
  });

  it('a torn last write loses that record only', async () => {
    const dir = tempDir();
    // 30 commits of ~3 pages each stay in the WAL (no checkpoint before 1000 pages).
    const w = writer(dir, { count: 30, noise: 9000, ready: 29 });
    await w.exited;
    const wal = join(dir, 'history.db-wal');
    const size = statSync(wal).size;
    expect(size).toBeGreaterThan(30 * 4096);
    // Cut the last frame of the last commit short, as a write interrupted by power loss leaves it.
    truncateSync(wal, size - 1000);
    const warnings: string[] = [];
    const h = await History.open(dir, (m) => warnings.push(m));
    expect(ids(h)).toEqual(Array.from({ length: 29 }, (_, i) => i));
    await h.recordRun(run(29));
    expect(ids(h)).toHaveLength(30);
    h.close();
    expect(integrity(dir)).toBe('ok');
    expect(warnings).toEqual([]);
  });

  it('a torn last line of an old journal loses that line only when it is migrated', async () => {
    const dir = tempDir();
    const whole = [0, 1, 2].map((i) => encodeLine({ t: 'run', run: run(i) })).join('');
    const torn = encodeLine({ t: 'run', run: run(3) });
    writeFileSync(join(dir, 'history.jsonl'), whole + torn.slice(0, torn.length / 2));
    const warnings: string[] = [];
    const h = await History.open(dir, (m) => warnings.push(m));
    expect(ids(h)).toEqual([0, 1, 2]);
    expect(warnings).toEqual([]);
  });
});

describe('the history store with damage in the middle', () => {
  function damagedAt(file: string, marker: string, how: 'byte' | 'page'): { offset: number; before: Buffer } {
    const bytes = readFileSync(file);
    const offset = bytes.indexOf(marker);
    expect(offset, `${marker} in ${file}`).toBeGreaterThan(0);
    const fd = openSync(file, 'r+');
    if (how === 'byte') writeSync(fd, Buffer.from('#'), 0, 1, offset + marker.length - 3);
    else writeSync(fd, randomBytes(4096), 0, 4096, Math.floor(offset / 4096) * 4096);
    closeSync(fd);
    return { offset, before: bytes };
  }

  it('a damaged record is skipped and the file kept aside before anything else is written', async () => {
    const dir = tempDir();
    const h0 = await History.open(dir);
    for (let i = 0; i < 200; i++) await h0.recordRun(run(i));
    h0.close(); // checkpointed: the rows are in history.db itself
    const file = join(dir, 'history.db');
    damagedAt(file, '{"id":"run-000100"', 'byte');
    const damaged = readFileSync(file);
    const warnings: string[] = [];
    const h = await History.open(dir, (m) => warnings.push(m));
    expect(ids(h)).toEqual(Array.from({ length: 200 }, (_, i) => i).filter((i) => i !== 100));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/1 damaged record\(s\) skipped; a copy of the file as it was is kept at .*history\.db\.damaged-/);
    const aside = readdirSync(dir).find((f) => f.startsWith('history.db.damaged-') && !f.endsWith('-wal'));
    expect(readFileSync(join(dir, aside!)).equals(damaged)).toBe(true);
    await h.recordRun(run(500));
    h.close();
    const again = await History.open(dir, (m) => warnings.push(m));
    expect(ids(again)).toHaveLength(200);
    expect(warnings).toHaveLength(1); // reported once
    again.close();
  });

  it('a page of garbage: the file is kept aside, rebuilt from every row that reads, and works on', async () => {
    const dir = tempDir();
    const h0 = await History.open(dir);
    for (let i = 0; i < 2000; i++) await h0.recordRun(run(i));
    h0.close();
    const file = join(dir, 'history.db');
    damagedAt(file, '{"id":"run-001000"', 'page');
    const damaged = readFileSync(file);
    const warnings: string[] = [];
    const h = await History.open(dir, (m) => warnings.push(m));
    const got = ids(h);
    expect(warnings.join('\n')).toMatch(
      /the history file is damaged .*record\(s\) carried over.*a copy of the file as it was is kept at .*history\.db\.damaged-/,
    );
    const aside = readdirSync(dir).find((f) => f.startsWith('history.db.damaged-') && !f.endsWith('-wal'));
    expect(readFileSync(join(dir, aside!)).equals(damaged)).toBe(true);
    // One leaf page holds a few dozen summary rows: those are lost, nothing else.
    expect(got.length).toBeGreaterThan(1900);
    expect(got).toContain(0);
    expect(got).toContain(1999);
    expect(h.getRun('run-001999')?.steps).toHaveLength(1);
    await h.recordRun(run(5000));
    h.close();
    expect(integrity(dir)).toBe('ok');
  });
});

const root = process.getuid?.() === 0;
if (!root) console.log('history disk-full test skipped: it mounts a small tmpfs, which needs root');

describe.skipIf(!root)('the history store on a full disk', () => {
  it('refuses the write with a clear error, loses nothing written, and works again once there is space', async () => {
    const dir = tempDir();
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]).status).toBe(0);
    try {
      const h = await History.open(dir);
      let written = 0;
      let failure: Error | undefined;
      for (let i = 0; i < 1000 && !failure; i++) {
        try {
          await h.recordRun(run(i, 6000));
          written++;
        } catch (err) {
          failure = err as Error;
        }
      }
      expect(failure?.message).toMatch(/could not write .*history\.db: the disk is full or failing .*this record was not written, nothing earlier is lost/);
      expect(written).toBeGreaterThan(5);
      expect(ids(h)).toEqual(Array.from({ length: written }, (_, i) => i));
      h.close();
      expect(spawnSync('mount', ['-o', 'remount,size=8m', dir]).status).toBe(0);
      const again = await History.open(dir);
      expect(ids(again)).toEqual(Array.from({ length: written }, (_, i) => i));
      await again.recordRun(run(written, 6000));
      expect(ids(again)).toHaveLength(written + 1);
      again.close();
      expect(integrity(dir)).toBe('ok');
      expect(existsSync(join(dir, 'history.db'))).toBe(true);
    } finally {
      spawnSync('umount', ['-l', dir]);
    }
  });
});
