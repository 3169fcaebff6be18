/**
 * Every backup found, checked and restored down to one file, in both
 * formats, against the lab and through the real `burrow` command line:
 * `backups --json` lists a run's day with counts, `ls` shows a nested file,
 * `find` finds it, `restore` of one file to the laptop and onto the source
 * (through the tunnel, with a login no gate guards) reproduces it byte for
 * byte with its mode and mtime; a second run the same day carries a change
 * at once and verify passes, the record saying what was sent and what was
 * verified in full and by sample.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { BackupEntryView, BackupRowView, SearchResultView } from '../../shared/api-contract';
import { ManualClock } from '../../shared/clock';
import { Engine } from '../../electron/engine/engine';
import { main } from '../../electron/cli/main';
import type { Io } from '../../electron/cli/output';
import { day, labConfig } from './fixtures';
import { resetLab, useLab } from './lab-fixture';

const setup = useLab();
let dir: string;
let configPath: string;

beforeEach(async () => {
  await resetLab(setup);
  dir = join(setup.lab.dir, `cli-${Math.random().toString(16).slice(2)}`);
  mkdirSync(join(dir, 'config'), { recursive: true });
  configPath = join(dir, 'config', 'config.json');
  // The CLI finds history and kept listings here, as the engine below writes them.
  process.env.XDG_STATE_HOME = join(dir, 'state');
  const restored = join(setup.lab.source.home, 'restored');
  rmSync(restored, { recursive: true, force: true });
  mkdirSync(restored, { recursive: true });
  await setup.lab.source.own(restored);
});

/** `burrow ARGS --config CONFIG` in this process; stdout, stderr and the exit status. */
async function burrow(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`), isTTY: false };
  const code = await main([...args, '--config', configPath], io);
  return { code, out, err };
}

async function engineFor(format: 'archive' | 'snapshot', clock: ManualClock): Promise<Engine> {
  const config = labConfig(setup.lab, { format, compression: 'gzip' });
  writeFileSync(configPath, JSON.stringify(config));
  return Engine.open({ config, stateDir: join(dir, 'state', 'burrow'), clock });
}

const NESTED = 'projects/sub/deeper/notes.txt';

function writeNested(text: string, mtime: Date): void {
  const f = join(setup.data, NESTED);
  writeFileSync(f, text);
  chmodSync(f, 0o640);
  utimesSync(f, mtime, mtime);
}

describe.each(['snapshot', 'archive'] as const)('%s format, through the burrow command', (format) => {
  it('lists the day with counts, shows a nested file, finds it, and restores one file to the laptop and onto the source', async () => {
    const mtime = new Date('2026-11-20T08:15:00Z');
    writeNested('the one file I lost\n', mtime);
    await setup.lab.source.own(setup.data);
    const engine = await engineFor(format, new ManualClock(day(0)));
    const run = await engine.runNow('daily');
    expect(run.error).toBeUndefined();
    expect(run.verification?.full.items).toBeGreaterThan(0);

    const listed = await burrow('backups', '--json');
    expect(listed.err).toBe('');
    const rows = JSON.parse(listed.out) as BackupRowView[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ name: '2026-11-26', format, atDestination: true });
    expect(rows[0]!.size).toBeGreaterThan(0);
    if (format === 'snapshot') expect(rows[0]!.files).toBe(6);

    const ls = await burrow('ls', 'daily', '2026-11-26', 'projects/sub/deeper', '--json');
    expect(ls.code, ls.err).toBe(0);
    const entries = JSON.parse(ls.out) as BackupEntryView[];
    expect(entries).toContainEqual(expect.objectContaining({ path: NESTED, type: 'file', size: 20, mtime: mtime.getTime() / 1000, mode: '640' }));
    // Listed once, the archive's listing is kept: now the list has its counts too.
    const again = JSON.parse((await burrow('backups', '--json')).out) as BackupRowView[];
    expect(again[0]!.files).toBe(6);

    const found = JSON.parse((await burrow('find', 'daily', 'NOTES', '--json')).out) as SearchResultView;
    expect(found.hits).toEqual([expect.objectContaining({ backup: '2026-11-26', path: NESTED, size: 20 })]);

    const laptop = join(setup.lab.dir, `laptop-${format}-${Math.random().toString(16).slice(2)}`);
    const toLaptop = await burrow('restore', 'daily', '2026-11-26', NESTED, '--to-laptop', laptop);
    expect(toLaptop.code, toLaptop.err).toBe(0);
    expect(toLaptop.out).toMatch(/1 file\(s\).*1 checked/);
    const back = join(laptop, NESTED);
    expect(readFileSync(back, 'utf8')).toBe('the one file I lost\n');
    expect(lstatSync(back).mode & 0o7777).toBe(0o640);
    expect(lstatSync(back).mtimeMs).toBe(mtime.getTime());
    const twice = await burrow('restore', 'daily', '2026-11-26', NESTED, '--to-laptop', laptop);
    expect(twice.code).toBe(2);
    expect(twice.err).toContain('already exists: not overwritten');

    const onSource = join(setup.lab.source.home, 'restored');
    const toSource = await burrow('restore', 'daily', '2026-11-26', NESTED, '--to-source', onSource);
    expect(toSource.code, toSource.err).toBe(0);
    const there = join(onSource, NESTED);
    expect(readFileSync(there, 'utf8')).toBe('the one file I lost\n');
    expect(lstatSync(there).mode & 0o7777).toBe(0o640);
    expect(lstatSync(there).mtimeMs).toBe(mtime.getTime());
    expect(lstatSync(there).uid).toBe(setup.lab.source.uid);
  });

  it('a second run the same day carries the change at once; verify passes and the record says what was sent and verified', async () => {
    writeNested('first version\n', new Date('2026-11-20T08:00:00Z'));
    await setup.lab.source.own(setup.data);
    const clock = new ManualClock(day(0));
    const engine = await engineFor(format, clock);
    expect((await engine.runNow('daily')).error).toBeUndefined();
    writeNested('second version, longer\n', new Date('2026-11-26T13:00:00Z'));
    await setup.lab.source.own(setup.data);
    clock.set(day(0, 14, 0));
    const second = await engine.runNow('daily');
    expect(second.error).toBeUndefined();
    if (format === 'snapshot') {
      expect(second.snapshot).toMatchObject({ name: '2026-11-26', updated: true });
      expect(second.transfer?.transferred).toEqual([NESTED]);
      expect(readFileSync(join(setup.backups, 'daily', '2026-11-26', NESTED), 'utf8')).toBe('second version, longer\n');
      expect(second.verification?.full).toMatchObject({ items: 1 });
    } else {
      expect(second.transfer?.transferred).toEqual(['projects.20261126.tar.gz']);
      expect(second.verification?.full).toMatchObject({ items: 1, what: '1 archive(s) sent' });
    }
    expect(second.verification?.sample.cycle).toMatch(/^day \d+ of \d+$/);
    const laptop = join(setup.lab.dir, `laptop2-${format}-${Math.random().toString(16).slice(2)}`);
    expect((await burrow('restore', 'daily', '2026-11-26', NESTED, '--to-laptop', laptop)).code).toBe(0);
    expect(readFileSync(join(laptop, NESTED), 'utf8')).toBe('second version, longer\n');
    const verified = await burrow('verify', '--all');
    expect(verified.code, verified.out).toBe(0);
    expect(verified.out).toMatch(/^ok /m);
  });
});

describe('a destination is set up, not guessed', () => {
  it.each(['snapshot', 'archive'] as const)(
    '%s: a new path is set up by the first run; emptied afterwards, the guard says it was set up and now looks empty',
    async (format) => {
      const engine = await engineFor(format, new ManualClock(day(0)));
      const first = await engine.runNow('daily');
      expect(first.error).toBeUndefined();
      expect(first.steps.find((s) => s.name === 'guard')?.detail).toContain('a new destination: set up');
      const marker = JSON.parse(readFileSync(join(setup.backups, '.burrow-destination'), 'utf8')) as Record<string, string>;
      expect(marker).toMatchObject({ job: 'daily', format });
      expect(marker.firstBackup).toBeDefined();
      // Someone empties the destination (the marker, a dot file, survives `rm -rf dir/*`).
      for (const f of readdirVisible(setup.backups)) rmSync(join(setup.backups, f), { recursive: true });
      const refused = await engine.runNow('daily');
      expect(refused.error).toMatchObject({ kind: 'destination-marker', step: 'guard' });
      expect(refused.error!.message).toMatch(/was set up .* now looks empty/);
    },
  );

  it('a job moved to a new, empty path is set up there, although the job succeeded elsewhere before', async () => {
    const engine = await engineFor('snapshot', new ManualClock(day(0)));
    expect((await engine.runNow('daily')).error).toBeUndefined();
    const moved = join(setup.lab.destination.home, 'elsewhere');
    rmSync(moved, { recursive: true, force: true });
    const config = labConfig(setup.lab, { format: 'snapshot', destination: { host: 'destination', path: moved } });
    const again = await Engine.open({ config, stateDir: join(dir, 'state', 'burrow'), clock: new ManualClock(day(1)) });
    const run = await again.runNow('daily');
    expect(run.error).toBeUndefined();
    expect(readFileSync(join(moved, '.burrow-destination'), 'utf8')).toContain('"format":"snapshot"');
  });

  it('burrow init-destination says what it creates and writes the marker; a path with other files is refused until then', async () => {
    writeFileSync(join(setup.backups, 'someone-elses.txt'), 'hello\n');
    await setup.lab.destination.own(setup.backups);
    // A snapshot job: it writes below PATH/daily and deletes nothing else there.
    const engine = await engineFor('snapshot', new ManualClock(day(0)));
    const refused = await engine.runNow('daily');
    expect(refused.error?.message).toContain('was never set up as a Burrow destination');
    expect(refused.error?.message).toContain('burrow init-destination daily');
    const preview = await burrow('init-destination', 'daily', '--dry-run');
    expect(preview.code).toBe(0);
    expect(preview.out).toContain('holds 1 entry');
    expect(preview.out).toContain('.burrow-destination');
    expect(() => readFileSync(join(setup.backups, '.burrow-destination'))).toThrow();
    const done = await burrow('init-destination', 'daily', '--yes');
    expect(done.code, done.err).toBe(0);
    expect(done.out).toContain('Adopted');
    expect((await engine.runNow('daily')).error).toBeUndefined();
  });
});

const readdirVisible = (d: string) => readdirSync(d).filter((n) => !n.startsWith('.'));

describe('a long snapshot history', () => {
  it('30 days of a 10,000-file tree list, browse and search in one command each (times printed, not asserted)', async () => {
    for (let d = 0; d < 100; d++) {
      const sub = join(setup.data, 'projects', 'many', `dir${d}`);
      mkdirSync(sub, { recursive: true });
      for (let f = 0; f < 100; f++) writeFileSync(join(sub, `file${f}.txt`), `${d}/${f}\n`);
    }
    await setup.lab.source.own(setup.data);
    const engine = await engineFor('snapshot', new ManualClock(day(0)));
    const first = await engine.runNow('daily');
    expect(first.error).toBeUndefined();
    // 29 more days as unchanged runs leave them: hard-linked trees, each with its manifest and summary.
    const root = join(setup.backups, 'daily');
    const meta = join(root, '.burrow');
    const files = readFileSync(join(meta, '2026-11-26.files'), 'utf8');
    const summary = JSON.parse(readFileSync(join(meta, '2026-11-26.json'), 'utf8')) as Record<string, unknown>;
    for (let n = 1; n < 30; n++) {
      const d = new Date(Date.UTC(2026, 10, 26 + n)).toISOString().slice(0, 10);
      execFileSync('cp', ['-al', join(root, '2026-11-26'), join(root, d)]);
      writeFileSync(join(meta, `${d}.files`), files);
      writeFileSync(join(meta, `${d}.sent`), '');
      writeFileSync(join(meta, `${d}.json`), JSON.stringify({ ...summary, day: d, changes: { added: 0, changed: 0, removed: 0, bytes: 0 } }));
    }
    await setup.lab.destination.own(setup.backups);
    const timed = async (...args: string[]) => {
      const t0 = performance.now();
      const r = await burrow(...args);
      return { ...r, seconds: (performance.now() - t0) / 1000 };
    };
    const list = await timed('backups', '--json');
    const rows = JSON.parse(list.out) as BackupRowView[];
    expect(rows).toHaveLength(30);
    expect(rows[0]!.files).toBe(10_005); // the sample tree's 5 files (its symlink is not a file) and 10,000
    const ls = await timed('ls', 'daily', '2026-12-10', 'projects/many', '--json');
    expect(JSON.parse(ls.out)).toHaveLength(100);
    const found = await timed('find', 'daily', 'file42.txt', '--json');
    expect((JSON.parse(found.out) as SearchResultView).hits).toHaveLength(500);
    console.log(
      `[backups] 30 days x 10,005 files through the lab: backups ${list.seconds.toFixed(2)} s, ls ${ls.seconds.toFixed(2)} s, find ${found.seconds.toFixed(2)} s (goal for the list: under 2 s)`,
    );
  }, 240_000);
});
