/**
 * The CLI's conventions: `burrow --help`, `burrow help CMD`, `burrow CMD
 * --help` and `-h` print usage and exit 0 for every command without running
 * it; `burrow --version` prints the version; mistakes still exit 2.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandNames, main } from '../../electron/cli/main';
import type { Io } from '../../electron/cli/output';

const ROOT = join(import.meta.dirname, '..', '..');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

async function burrow(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += `${t}\n`), err: (t) => void (err += `${t}\n`), isTTY: false };
  const code = await main(argv, io);
  return { code, out, err };
}

describe('burrow --help and friends', () => {
  it('knows the commands it should (the loop below covers each)', () => {
    expect(commandNames()).toEqual(expect.arrayContaining(['start', 'demo', 'run', 'check', 'serve', 'daemon', 'keys', 'hosts', 'hostkey']));
  });

  it.each(commandNames())('burrow %s --help, -h and burrow help %s print its usage and exit 0, without running it', async (name) => {
    const viaFlag = await burrow(name, '--help');
    expect(viaFlag.code).toBe(0);
    expect(viaFlag.err).toBe('');
    expect(viaFlag.out).toMatch(new RegExp(`^usage: burrow ${name}\\b`));
    expect(viaFlag.out).toContain('-h, --help');
    expect(await burrow(name, '-h')).toEqual(viaFlag);
    expect(await burrow('help', name)).toEqual(viaFlag);
    // After other options, too.
    expect((await burrow(name, '--config', '/nonexistent/burrow.json', '--help')).code).toBe(0);
  });

  it('burrow --help and burrow help list every command and exit 0; bare burrow exits 2', async () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const r = await burrow(...argv);
      expect(r.code).toBe(0);
      for (const name of commandNames()) expect(r.out).toContain(`  ${name} `);
    }
    expect((await burrow()).code).toBe(2);
  });

  it('burrow --version prints the version from package.json', async () => {
    expect(await burrow('--version')).toEqual({ code: 0, out: `burrow ${VERSION}\n`, err: '' });
    expect((await burrow('-V')).out).toBe(`burrow ${VERSION}\n`);
  });

  it('an unknown command, help topic or option still exits 2 with the usage', async () => {
    const unknown = await burrow('nosuch');
    expect([unknown.code, unknown.err]).toEqual([2, expect.stringContaining('unknown command "nosuch"')]);
    expect((await burrow('help', 'nosuch')).code).toBe(2);
    const badOption = await burrow('status', '--bogus');
    expect([badOption.code, badOption.err]).toEqual([2, expect.stringContaining("Unknown option '--bogus'")]);
  });

  it('the installed command does the same: exit status 0 from a real process', () => {
    const bin = join(ROOT, 'electron', 'cli', 'burrow.mjs');
    const help = spawnSync(process.execPath, [bin, 'run', '--help'], { encoding: 'utf8' });
    expect([help.status, help.stdout.split('\n')[0]]).toEqual([0, 'usage: burrow run [--job NAME] [--json] [--dry-run]']);
    const version = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
    expect([version.status, version.stdout]).toEqual([0, `burrow ${VERSION}\n`]);
  }, 30_000);
});
