import { describe, expect, it } from 'vitest';
import { archiveName, dateStamp, daysBetween, parseArchiveName, selectExpired } from '../../shared/archive-names';

describe('archive names', () => {
  it('names archives like packitup.sh did', () => {
    expect(archiveName('/var/cvs_repository', '20261126', 'bzip2')).toBe('cvs_repository.20261126.tar.bz2');
    expect(archiveName("/srv/it's here/", '20261126', 'zstd')).toBe("it's here.20261126.tar.zst");
    expect(parseArchiveName('etc.20261126.tar.gz')).toEqual({ base: 'etc', stamp: '20261126', ext: 'gz' });
    expect(parseArchiveName('etc.20261332.tar.gz')).toBeUndefined();
    expect(parseArchiveName('.etc.20261126.tar.bz2.partial.123')).toBeUndefined();
  });

  it('counts calendar days across a daylight-saving change', () => {
    expect(daysBetween('20260301', '20260401')).toBe(31);
    expect(daysBetween('20261020', '20261126')).toBe(37);
    expect(dateStamp(new Date(2026, 10, 26, 23, 59))).toBe('20261126');
  });

  it('prunes strictly older than keepDays: 27 and 28 kept, 29 deleted', () => {
    const today = new Date(2026, 10, 26, 12, 30);
    const files = [27, 28, 29].map((age) => {
      const d = new Date(2026, 10, 26 - age);
      return { name: `etc.${dateStamp(d)}.tar.bz2`, mtimeMs: today.getTime() };
    });
    files.push({ name: 'notes.txt', mtimeMs: 0 }, { name: 'old.tar.bz2', mtimeMs: today.getTime() - 30 * 86_400_000 });
    const out = selectExpired(files, today, 28);
    expect(out).toEqual([
      { name: `etc.${dateStamp(new Date(2026, 10, 26 - 29))}.tar.bz2`, ageDays: 29, by: 'name' },
      { name: 'old.tar.bz2', ageDays: 30, by: 'mtime' },
    ]);
  });
});
