/**
 * `burrow keys` and `burrow hosts import` on the command line, driven the
 * non-interactive way (secrets from the environment, --yes, --fingerprint).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { hostsCommand } from '../../electron/cli/commands/hosts';
import { KEY_COMMANDS } from '../../electron/cli/commands/key-commands';
import { keysCommand } from '../../electron/cli/commands/keys';
import type { CommandContext } from '../../electron/cli/main';
import { parseConfigText } from '../../electron/engine/config-file';

const work = mkdtempSync(join(tmpdir(), 'burrow-keys-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
afterEach(() => {
  delete process.env.BURROW_KEY_PASSPHRASE;
});

function ctx(configPath: string, positionals: string[], values: CommandContext['values'] = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const c: CommandContext = { io: { out: (t) => out.push(t), err: (t) => err.push(t), isTTY: false }, configPath, values, positionals };
  return { c, out, err };
}

describe('burrow keys', () => {
  it('generates, lists, shows, imports and removes keys; secrets come from the environment', async () => {
    const configPath = join(work, 'a', 'config.json');
    process.env.BURROW_KEY_PASSPHRASE = 'automation passphrase';
    const gen = ctx(configPath, ['generate', 'laptop'], { comment: 'me' });
    expect(await keysCommand(gen.c)).toBe(0);
    expect(gen.out[0]).toMatch(/^ssh-ed25519 \S+ me$/);
    expect(gen.err.join('\n')).toContain('"identityFile": "burrow:laptop"');
    expect(gen.err.join('\n')).not.toContain('automation passphrase');

    const orig = join(work, 'id_plain');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'plain', '-f', orig]);
    const imp = ctx(configPath, ['import', orig], { name: 'old' });
    expect(await keysCommand(imp.c)).toBe(0);
    expect(imp.out[0]?.split(' ')[1]).toBe(readFileSync(`${orig}.pub`, 'utf8').split(' ')[1]);

    const list = ctx(configPath, ['list'], { json: true });
    expect(await keysCommand(list.c)).toBe(0);
    const keys = JSON.parse(list.out[0]!) as { name: string; encrypted: boolean }[];
    expect(keys.map((k) => [k.name, k.encrypted])).toEqual([
      ['laptop', true],
      ['old', true],
    ]);
    expect(readdirSync(join(work, 'a', 'keys')).sort()).toEqual(['laptop', 'laptop.pub', 'old', 'old.pub']);

    const show = ctx(configPath, ['show', 'old']);
    expect(await keysCommand(show.c)).toBe(0);
    expect(show.out[0]).toMatch(/^ssh-ed25519 /);

    await expect(keysCommand(ctx(configPath, ['remove', 'old']).c)).rejects.toThrow(/re-run with --yes/);
    expect(await keysCommand(ctx(configPath, ['remove', 'old'], { yes: true }).c)).toBe(0);
    expect(readdirSync(join(work, 'a', 'keys')).sort()).toEqual(['laptop', 'laptop.pub']);
  });

  it('an import of a 1-round file says it was re-encrypted; a generate below the passphrase floor is refused', async () => {
    const configPath = join(work, 'kdf', 'config.json');
    const orig = join(work, 'id_one_round');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-a', '1', '-N', 'a one round passphrase', '-C', 'weak', '-f', orig]);
    process.env.BURROW_KEY_PASSPHRASE = 'a one round passphrase';
    const imp = ctx(configPath, ['import', orig], { name: 'weak' });
    expect(await keysCommand(imp.c)).toBe(0);
    expect(imp.err.join('\n')).toContain(`${orig} was encrypted with only 1 bcrypt-pbkdf round; Burrow stored it re-encrypted with 16`);
    process.env.BURROW_KEY_PASSPHRASE = 'too short';
    await expect(keysCommand(ctx(configPath, ['generate', 'k']).c)).rejects.toThrow('the passphrase for key k is shorter than 12 characters');
  }, 30_000);

  it('asks for a passphrase it cannot read without a terminal', async () => {
    await expect(keysCommand(ctx(join(work, 'b', 'config.json'), ['generate', 'k']).c)).rejects.toThrow(
      'no terminal to ask for the passphrase for the new key k; for automation, set BURROW_KEY_PASSPHRASE',
    );
  });

  it('will not install on an unpinned host without a terminal or --fingerprint', async () => {
    const dir = join(work, 'c');
    mkdirSync(dir, { recursive: true });
    const configPath = join(dir, 'config.json');
    // Nothing listens on port 1: the refusal must come before any password is asked for.
    writeFileSync(configPath, JSON.stringify({ hosts: { h: { hostname: '127.0.0.1', port: 1, user: 'u' } } }));
    process.env.BURROW_KEY_PASSPHRASE = 'install test passphrase';
    await keysCommand(ctx(configPath, ['generate', 'k']).c);
    await expect(keysCommand(ctx(configPath, ['install', 'k']).c)).rejects.toThrow(/name the host/);
    await expect(keysCommand(ctx(configPath, ['install', 'k'], { host: 'h', role: 'web' }).c)).rejects.toThrow(/--role must be source or destination/);
    await expect(keysCommand(ctx(configPath, ['install', 'k'], { host: 'h', role: 'destination' }).c)).rejects.toThrow(
      /path: say which directory the key may write to/,
    );
    await expect(keysCommand(ctx(configPath, ['install', 'k'], { host: 'h' }).c)).rejects.toThrow(/cannot reach h/);
  });

  it('describes both commands in the shape main.ts registers', () => {
    expect(Object.keys(KEY_COMMANDS)).toEqual(['keys', 'hosts']);
    for (const c of Object.values(KEY_COMMANDS)) {
      expect(c.summary).toBeTruthy();
      expect(c.usage).toContain('burrow ');
      expect(typeof c.run).toBe('function');
    }
    expect(KEY_COMMANDS.keys.options.passphrase).toBeUndefined(); // never a secret on the command line
    expect(KEY_COMMANDS.keys.options.password).toBeUndefined();
  });
});

describe('burrow hosts import', () => {
  it('shows the hosts with their pins, and --write adds them to the config', async () => {
    const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOTvw1tGLnPOaCKU0FaVn9dCpwC3JTtakE5Jb64uvDJX';
    writeFileSync(join(work, 'ssh_config'), 'Host box\n  HostName box.example\n  User me\n  Port 2200\nHost bare\n  HostName bare.example\n  User me\n');
    writeFileSync(join(work, 'known_hosts'), `[box.example]:2200 ${key}\n`);
    const configPath = join(work, 'd', 'config.json');
    const values = { from: join(work, 'ssh_config'), 'known-hosts': join(work, 'known_hosts') };

    const show = ctx(configPath, ['import'], values);
    expect(await hostsCommand(show.c)).toBe(0);
    expect(show.out[0]).toMatch(/^box\s+me@box\.example:2200\s+ssh-ed25519 SHA256:/);
    expect(show.out[1]).toMatch(/^bare\s+.*no pin/);

    const write = ctx(configPath, ['import'], { ...values, write: true });
    expect(await hostsCommand(write.c)).toBe(0);
    const config = parseConfigText(readFileSync(configPath, 'utf8'), configPath);
    expect(config.hosts).toEqual({
      box: { hostname: 'box.example', port: 2200, user: 'me', hostKey: key },
      bare: { hostname: 'bare.example', port: 22, user: 'me' },
    });
    const again = ctx(configPath, ['import'], { ...values, write: true });
    expect(await hostsCommand(again.c)).toBe(0);
    expect(again.err.join('\n')).toContain('already in the config, left as they are: box, bare');
  });
});
