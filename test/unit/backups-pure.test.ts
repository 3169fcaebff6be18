/**
 * The pure parts of backups: an archive's `tar -tv` listing read back, a
 * day's tree one directory at a time, a snapshot day's manifest made from
 * its listing, what was sent and what came before, the rolling sample's
 * cycle.
 */
import { describe, expect, it } from 'vitest';
import { parseTarListing } from '../../electron/engine/formats/archive/listing';
import { bucketOfDay, inBucket, parseDay } from '../../electron/engine/formats/days';
import { mergeDay, summarizeDay, type ManifestEntry } from '../../electron/engine/formats/snapshot/manifest';
import { checkBackupPath, childrenOf } from '../../electron/engine/formats/tree';

describe("an archive's listing", () => {
  it('reads GNU tar -tv --full-time --numeric-owner in UTC, with escapes, links and directories', () => {
    const text = [
      'drwxr-x--- 1000/1000         0 2026-11-26 12:30:00 projects/',
      '-rw------- 1000/1000         9 2026-11-20 08:15:00 projects/secret',
      '-rwsr-xr-x 0/0           1,234 2026-11-20 08:15:00 projects/run\\nme',
      'lrwxrwxrwx 1000/1000         0 2026-11-20 08:15:00 projects/link -> sub/data.bin',
      'hrw-r--r-- 1000/1000         0 2026-11-20 08:15:00 projects/again link to projects/secret',
      '-rw-r--r-- 1000/1000         5 2026-11-20 08:15:00 projects/it\\047s \\\\ odd',
      'tar: something on stderr',
    ].join('\n');
    const e = parseTarListing(text);
    expect(e.map((x) => [x.path, x.type, x.size, x.mode])).toEqual([
      ['projects', 'dir', 0, '750'],
      ['projects/secret', 'file', 9, '600'],
      ['projects/run\nme', 'file', 1234, '4755'],
      ['projects/link', 'link', 0, '777'],
      ['projects/again', 'file', 0, '644'],
      ["projects/it's \\ odd", 'file', 5, '644'],
    ]);
    expect(e[1]!.mtime).toBe(Date.parse('2026-11-20T08:15:00Z') / 1000);
  });
});

describe("a day's tree", () => {
  const entry = (path: string, type: 'file' | 'dir' = 'file') => ({ path, name: path.split('/').pop()!, type, size: 1, mtime: 1 });
  it('lists one directory, directories first, including ones known only from below', () => {
    const entries = [entry('projects', 'dir'), entry('projects/b'), entry('projects/a', 'dir'), entry('projects/a/x'), entry('etc/hosts')];
    expect(childrenOf(entries, '').map((e) => [e.name, e.type])).toEqual([
      ['etc', 'dir'],
      ['projects', 'dir'],
    ]);
    expect(childrenOf(entries, 'projects').map((e) => e.path)).toEqual(['projects/a', 'projects/b']);
    expect(childrenOf(entries, 'projects/a').map((e) => e.path)).toEqual(['projects/a/x']);
  });

  it('takes only paths inside the backup, and days as a person types them', () => {
    expect(checkBackupPath('projects/sub/')).toBe('projects/sub');
    for (const bad of ['/etc', '../x', 'a/../b', 'a//b', '.', '']) expect(() => checkBackupPath(bad)).toThrow(/not a path inside the backup/);
    expect(parseDay('20261126')).toBe('2026-11-26');
    expect(() => parseDay('yesterday')).toThrow(/not a day/);
  });
});

describe("a snapshot day's manifest", () => {
  const day0: ManifestEntry[] = [
    { p: 'projects', t: 'd', s: 4096, m: 1, x: '755' },
    { p: 'projects/a', t: 'f', s: 3, m: 10, x: '644', h: 'a'.repeat(64), d: '2026-11-26' },
    { p: 'projects/gone', t: 'f', s: 3, m: 10, h: 'c'.repeat(64), d: '2026-11-26' },
    { p: 'projects/link', t: 'l', s: 1, m: 10, d: '2026-11-26' },
  ];
  it('keeps what was recorded for unchanged files, takes the new sums for what was sent, and counts the change', () => {
    const listed: ManifestEntry[] = [
      { p: 'projects', t: 'd', s: 4096, m: 2 },
      { p: 'projects/a', t: 'f', s: 3, m: 10 },
      { p: 'projects/b', t: 'f', s: 5, m: 20 },
      // --fake-super stores the symlink as a small file: the earlier manifest knows it is a link.
      { p: 'projects/link', t: 'f', s: 1, m: 10 },
    ];
    const merged = mergeDay({
      day: '2026-11-27',
      listed,
      sent: new Map([['projects/b', { s: 5, m: 20, x: '600', h: 'b'.repeat(64) }]]),
      links: new Set(),
      carry: new Map(day0.map((e) => [e.p, e])),
    });
    expect(merged).toEqual([
      { p: 'projects', t: 'd', s: 4096, m: 2, x: '755' },
      day0[1],
      { p: 'projects/b', t: 'f', s: 5, m: 20, x: '600', h: 'b'.repeat(64), d: '2026-11-27' },
      day0[3],
    ]);
    const summary = summarizeDay('2026-11-27', merged, day0, { files: 1, bytes: 5 }, 'ok', 'now');
    expect(summary).toMatchObject({ files: 2, dirs: 1, bytes: 8, changes: { added: 1, changed: 0, removed: 1, bytes: 5 } });
  });
});

describe('the rolling sample', () => {
  it('checks every item exactly once per cycle, whatever else is stored', () => {
    const keys = Array.from({ length: 500 }, (_, i) => `2026-11-26/projects/file${i}`);
    const seen = new Map<string, number>();
    for (let n = 0; n < 20; n++) {
      const day = new Date(Date.UTC(2026, 10, 26 + n)).toISOString().slice(0, 10);
      for (const k of keys) if (inBucket(k, day, 20)) seen.set(k, (seen.get(k) ?? 0) + 1);
    }
    expect(seen.size).toBe(500);
    expect([...seen.values()].every((c) => c === 1)).toBe(true);
    expect(bucketOfDay('2026-11-26', 28)).not.toBe(bucketOfDay('2026-11-27', 28));
  });
});
