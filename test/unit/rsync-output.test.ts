import { describe, expect, it } from 'vitest';
import { RsyncOutputReader, parseProgressLine } from '../../shared/rsync-output';
import { rsyncOutcome } from '../../shared/rsync-exit';
import type { TransferProgress } from '../../shared/run-types';

describe('rsync output', () => {
  it('parses a progress2 line with an ETA', () => {
    expect(parseProgressLine('     21,561,344  71%   19.55MB/s    0:00:07  ')).toEqual({
      bytes: 21_561_344,
      percent: 71,
      speedBps: Math.round(19.55 * 1024 * 1024),
      etaSec: 7,
    });
  });

  it('reads items, progress and stats from chunks split anywhere', () => {
    const text =
      'burrow-item >f+++++++++ 30000000 a.20261126.tar.bz2\n\r     32,768   0%    0.00kB/s    0:00:00  \r' +
      '     30,000,000 100%   20.94MB/s    0:00:01 (xfr#1, to-chk=1/3)\n' +
      "burrow-item >f+++++++++ 3 b c'd\\#012x.20261126.tar.bz2\n" +
      'burrow-item *deleting   0 old.20261020.tar.bz2\n\n' +
      'Total file size: 30,000,003 bytes\nTotal bytes sent: 30,007,500\nTotal bytes received: 57\n';
    const seen: TransferProgress[] = [];
    const reader = new RsyncOutputReader((p) => seen.push(p));
    for (let i = 0; i < text.length; i += 7) reader.push(text.slice(i, i + 7));
    reader.end();
    expect(seen.map((p) => p.percent)).toEqual([0, 100]);
    expect(seen[1]!.file).toBe('a.20261126.tar.bz2');
    expect(seen[1]!.etaSec).toBeUndefined();
    expect(reader.stats()).toEqual({
      bytesSent: 30_007_500,
      bytesReceived: 57,
      totalSize: 30_000_003,
      transferred: ['a.20261126.tar.bz2', "b c'd\nx.20261126.tar.bz2"],
      deleted: ['old.20261020.tar.bz2'],
    });
  });

  it('maps every exit status to a defined outcome, unknown ones to failure', () => {
    expect(rsyncOutcome(0).state).toBe('ok');
    expect(rsyncOutcome(24).state).toBe('warning');
    expect(rsyncOutcome(23)).toMatchObject({ state: 'failed', kind: 'rsync' });
    expect(rsyncOutcome(25)).toMatchObject({ state: 'failed' });
    expect(rsyncOutcome(30)).toMatchObject({ state: 'failed', kind: 'timeout' });
    expect(rsyncOutcome(77)).toMatchObject({ state: 'failed', meaning: 'unknown rsync exit status 77' });
    expect(rsyncOutcome(null).state).toBe('failed');
  });

  it('a transfer stopped before --stats still says what moved: the bytes its progress reached', () => {
    const reader = new RsyncOutputReader();
    reader.push('burrow-item >f+++++++++ 9000000 big.bin\n');
    reader.push('      4,194,304  46%    1.46MB/s    0:00:03\r      6,291,456  69%    1.46MB/s    0:00:01\r');
    reader.end();
    expect(reader.stats()).toMatchObject({ bytesSent: 6_291_456, transferred: ['big.bin'] });
  });
});
