import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shCommand, shQuote } from '../../electron/engine/shell-quote';

describe('shell quoting', () => {
  const hostile = ["it's", '$(touch /tmp/pwned)', 'a;b', '`id`', 'new\nline', '-rf', '', ' ', '"', '\\', '*'];

  it('a POSIX shell reads every argument back byte for byte', () => {
    const out = execFileSync('sh', ['-c', `printf '%s\\0' ${hostile.map(shQuote).join(' ')}`]).toString();
    expect(out.split('\0').slice(0, -1)).toEqual(hostile);
  });

  it('leaves plain words alone and refuses NUL', () => {
    expect(shCommand(['ls', '-l', '/var/BACKUPS'])).toBe('ls -l /var/BACKUPS');
    expect(() => shQuote('a\0b')).toThrow(/NUL/);
  });
});
