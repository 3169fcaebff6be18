import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal, encodeLine } from '../../electron/engine/state/journal';
import { History } from '../../electron/engine/state/history';

const WRITER = `
import { Journal } from ${JSON.stringify(join(import.meta.dirname, '../../electron/engine/state/journal.ts'))};
const j = new Journal(process.argv[2]);
const pad = 'x'.repeat(20000);
for (let i = 0; ; i++) { await j.append({ i, pad }); if (i === 20) process.stdout.write('ready\\n'); }
`;

describe('the history journal', () => {
  it('reads back every complete entry after a kill -9 in the middle of writes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'burrow-journal-'));
    const path = join(dir, 'history.jsonl');
    const script = join(dir, 'writer.mts');
    writeFileSync(script, WRITER);
    const child = spawn(process.execPath, ['--import', 'tsx', script, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.on('data', (b: Buffer) => b.toString().includes('ready') && resolve()));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    // Whether or not the kill landed inside a write, make sure a torn last line is there.
    const half = encodeLine({ i: 999_999, pad: 'y'.repeat(1000) });
    writeFileSync(path, half.slice(0, half.length / 2), { flag: 'a' });
    const journal = new Journal<{ i: number }>(path);
    const r = await journal.read();
    expect(r.tornTail).toBe(true);
    expect(r.damaged).toBe(0);
    expect(r.entries.length).toBeGreaterThan(20);
    expect(r.entries.map((e) => e.i)).toEqual(r.entries.map((_, i) => i)); // every earlier record, in order
    // The next append lands on a line of its own, and everything still reads.
    await journal.append({ i: -1 });
    const again = await journal.read();
    expect(again.entries.length).toBe(r.entries.length + 1);
    expect(again.damaged).toBe(0);
  });

  it('keeps a damaged file aside before writing to it, and skips the damage', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'burrow-journal-'));
    const path = join(dir, 'history.jsonl');
    writeFileSync(
      path,
      encodeLine({ t: 'pause', paused: true, at: '2026-11-23T10:00:00.000Z' }) +
        'garbage line\n' +
        encodeLine({ t: 'pause', paused: false, at: '2026-11-23T11:00:00.000Z' }),
    );
    const warnings: string[] = [];
    const h = await History.open(path, (m) => warnings.push(m));
    expect(h.damaged).toBe(1);
    expect(h.pauseIntervals()).toHaveLength(1);
    await h.add({ t: 'pause', paused: true, at: '2026-11-23T12:00:00.000Z' });
    expect(warnings[0]).toMatch(/1 damaged line\(s\) skipped; a copy of the file as it was is kept at/);
    const aside = readdirSync(dir).find((f) => f.includes('.damaged-'));
    expect(aside).toBeDefined();
    expect(readFileSync(join(dir, aside!), 'utf8')).toContain('garbage line');
  });
});
