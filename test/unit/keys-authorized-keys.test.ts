/**
 * authorized_keys lines and the install script (run here with a temporary
 * HOME, as sshd would run it on the host), and reading secrets without echo.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import {
  authorizedKeyLine,
  DESTINATION_PROBE_SCRIPT,
  destinationKeyOptions,
  INSTALL_SCRIPT,
  parseDestinationProbe,
  SOURCE_KEY_OPTIONS,
} from '../../electron/engine/keys/authorized-keys';
import { readSecret } from '../../electron/engine/keys/read-secret';

const work = mkdtempSync(join(tmpdir(), 'burrow-authkeys-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const BLOB = 'AAAAC3NzaC1lZDI1NTE5AAAAIOTvw1tGLnPOaCKU0FaVn9dCpwC3JTtakE5Jb64uvDJX';
const KEY = `ssh-ed25519 ${BLOB} burrow:k`;
const OTHER = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb other@host';

function install(home: string, line: string): { code: number | null; out: string } {
  const r = spawnSync('sh', ['-c', INSTALL_SCRIPT, 'burrow', BLOB, line], { env: { PATH: process.env.PATH, HOME: home }, encoding: 'utf8' });
  return { code: r.status, out: r.stdout.trim() };
}

describe('authorized_keys lines', () => {
  it('puts options before the key and keeps its comment', () => {
    expect(authorizedKeyLine(KEY)).toBe(KEY);
    expect(authorizedKeyLine(KEY, SOURCE_KEY_OPTIONS)).toBe(`${SOURCE_KEY_OPTIONS} ${KEY}`);
    expect(() => authorizedKeyLine('not a key')).toThrow(/not an OpenSSH public key line/);
  });

  it('forces rrsync write-only on the backup path, quoting it for the shell', () => {
    expect(destinationKeyOptions('/usr/bin/rrsync', '/srv/backups')).toBe('restrict,command="/usr/bin/rrsync -wo -absolute /srv/backups"');
    expect(destinationKeyOptions('/usr/bin/rrsync', "/srv/bob's backups")).toBe(`restrict,command="/usr/bin/rrsync -wo -absolute '/srv/bob'\\''s backups'"`);
    expect(() => destinationKeyOptions('/usr/bin/rrsync', '/srv/"x"')).toThrow(/cannot go into a forced command/);
    expect(() => destinationKeyOptions('/usr/bin/rrsync', 'relative')).toThrow(/must be absolute/);
  });
});

describe('the install script', () => {
  it('creates ~/.ssh 0700 and authorized_keys 0600, and adds the line once', () => {
    const home = join(work, 'fresh');
    mkdirSync(home);
    expect(install(home, KEY)).toEqual({ code: 0, out: 'added' });
    expect(statSync(join(home, '.ssh')).mode & 0o777).toBe(0o700);
    expect(statSync(join(home, '.ssh', 'authorized_keys')).mode & 0o777).toBe(0o600);
    expect(install(home, KEY)).toEqual({ code: 0, out: 'present' });
    expect(readFileSync(join(home, '.ssh', 'authorized_keys'), 'utf8')).toBe(`${KEY}\n`);
  });

  it('keeps other keys, mends a missing final newline, and replaces an older line for the same key', () => {
    const home = join(work, 'used');
    mkdirSync(join(home, '.ssh'), { recursive: true });
    const file = join(home, '.ssh', 'authorized_keys');
    writeFileSync(file, `# mine\n${OTHER}`, { mode: 0o644 });
    expect(install(home, KEY).out).toBe('added');
    expect(readFileSync(file, 'utf8')).toBe(`# mine\n${OTHER}\n${KEY}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o644); // an existing file's mode is the owner's business

    const restricted = `${SOURCE_KEY_OPTIONS} ${KEY}`;
    expect(install(home, restricted).out).toBe('replaced');
    expect(readFileSync(file, 'utf8')).toBe(`# mine\n${OTHER}\n${restricted}\n`);
    expect(install(home, restricted).out).toBe('present');
    writeFileSync(file, `${KEY}\n${OTHER}\n${restricted}\n`);
    expect(install(home, restricted).out).toBe('replaced'); // a duplicate counts as "not once"
    expect(readFileSync(file, 'utf8')).toBe(`${OTHER}\n${restricted}\n`);
  });
});

describe('the destination probe', () => {
  it('finds rrsync, its -absolute option and the physical backup dir', () => {
    const dir = join(work, 'backups');
    mkdirSync(dir);
    const r = spawnSync('sh', ['-c', DESTINATION_PROBE_SCRIPT, 'burrow', dir], { encoding: 'utf8' });
    const probe = parseDestinationProbe(r.stdout);
    expect(probe.rrsync).toMatch(/\/rrsync$/);
    expect(probe).toMatchObject({ runs: true, absolute: true, dir });
    expect(parseDestinationProbe('missing\0')).toEqual({ runs: false, absolute: false });
  });
});

describe('readSecret', () => {
  const tty = () => Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined }) as unknown as NodeJS.ReadStream;

  it('takes the environment variable first', async () => {
    await expect(readSecret({ what: 'password', envVar: 'X_PW' }, { env: { X_PW: 'from-env' }, input: tty(), output: new PassThrough() })).resolves.toBe(
      'from-env',
    );
  });

  it('refuses to guess without a terminal, naming the variable for automation', async () => {
    const input = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.ReadStream;
    await expect(readSecret({ what: 'password', envVar: 'X_PW' }, { env: {}, input, output: new PassThrough() })).rejects.toThrow(
      'no terminal to ask for the password; for automation, set X_PW',
    );
  });

  it('reads a line from the terminal without echoing it, and checks a confirmation', async () => {
    const input = tty();
    const output = new PassThrough();
    let shown = '';
    output.on('data', (b: Buffer) => (shown += b.toString()));
    const secret = readSecret({ what: 'passphrase', envVar: 'X_PP', confirm: true }, { env: {}, input, output });
    input.write('hunter2x\u007f\r');
    await new Promise((r) => setImmediate(r));
    input.write('hunter2\n');
    await expect(secret).resolves.toBe('hunter2');
    expect(shown).not.toContain('hunter');
    expect(shown).toContain('Passphrase: ');

    const mismatch = readSecret({ what: 'passphrase', envVar: 'X_PP', confirm: true }, { env: {}, input, output });
    input.write('one\r');
    await new Promise((r) => setImmediate(r));
    input.write('two\r');
    await expect(mismatch).rejects.toThrow('the two passphrase entries differ');
  });
});
