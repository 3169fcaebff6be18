/**
 * The source key's gate, run by real shells (dash as Debian's sh, and bash)
 * the way sshd runs a forced command: SSH_ORIGINAL_COMMAND in the
 * environment. `rsync` and `ssh` are stand-ins on PATH that print what they
 * were given, so admission is seen without a network; the lab test
 * (test/engine/keys-restricted.test.ts) runs the real thing through sshd.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../shared/config-schema';
import { sourceGateScript, sourceScripts } from '../../electron/engine/keys/source-gate';
import type { RunContext } from '../../electron/engine/run-context';
import { shCommand, shScript } from '../../electron/engine/shell-quote';
import { snapshotRsyncArgs, verifySnapshotArgs } from '../../electron/engine/steps/snapshot';
import { KNOWN_HOSTS_SCRIPT, rsyncArgs, tunnelSshCommand } from '../../electron/engine/steps/transfer';
import { PACK_SCRIPT } from '../../electron/engine/steps/pack';
import { REMOVE_SCRIPT } from '../../electron/engine/steps/prune';

const PRINT = 'for a; do printf "%s\\0" "$a"; done';
const dir = mkdtempSync(join(tmpdir(), 'burrow-gate-'));
const bin = join(dir, 'bin');
mkdirSync(bin);
for (const prog of ['rsync', 'ssh']) {
  writeFileSync(join(bin, prog), `#!/bin/sh\nprintf 'ran ${prog}'; printf '\\0%s' "$@"\n`);
  chmodSync(join(bin, prog), 0o755);
}
const gate = join(dir, 'gate');
writeFileSync(gate, sourceGateScript([...sourceScripts(), PRINT]));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const shells = ['sh', 'bash'].filter((s) => spawnSync('sh', ['-c', `command -v ${s}`]).status === 0);
if (!shells.includes('bash')) console.warn('[source-gate] the bash runs are skipped: bash is not installed');

function throughGate(shell: string, command: string | undefined) {
  const env: NodeJS.ProcessEnv = { PATH: `${bin}:/usr/bin:/bin`, HOME: dir };
  if (command !== undefined) env.SSH_ORIGINAL_COMMAND = command;
  const r = spawnSync(shell, [gate], { env, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const config = (() => {
  const r = validateConfig({
    hosts: {
      source: { hostname: '10.0.0.1', user: 'henry', hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeFakeFakeFakeFakeFakeFakeFakeFakeFakeFake1' },
      jump: { hostname: '10.0.0.2', user: 'backup', hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeFakeFakeFakeFakeFakeFakeFakeFakeFakeFake2' },
    },
    jobs: [
      {
        name: 'daily',
        source: 'source',
        paths: ['/srv/cvs repository', '/etc'],
        holdingDir: '/var/BACKUPS',
        destination: { host: 'jump', path: '/backups' },
        bwlimitKiBps: 5000,
      },
    ],
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
})();
const ctx = {
  config,
  job: config.jobs[0]!,
  destinationHost: config.hosts.jump!,
  record: { stamp: '20261126', plan: { pruneSource: [], send: [], deleteAtDestination: ['a.20261001.tar.bz2'] } },
  tunnel: { port: 40123 },
} as unknown as RunContext;
const knownHosts = '/tmp/burrow.Ab12Cd34/known_hosts';

describe.each(shells)('the source gate under %s', (shell) => {
  it('reads back any argument list Burrow quotes, byte for byte (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ unit: 'binary' }).map((s) => s.replaceAll('\0', '')),
          { maxLength: 6 },
        ),
        (args) => {
          const r = throughGate(shell, shCommand(shScript(PRINT, args)));
          expect(r.stderr).toBe('');
          expect(r.stdout).toBe(args.map((a) => `${a}\0`).join(''));
        },
      ),
      { numRuns: 100 },
    );
  }, 60_000);

  it("admits Burrow's own commands: its scripts, its transfer and verify rsyncs, its tunnel probe", () => {
    const admitted = [
      shScript(PACK_SCRIPT, ['/etc', '/var/BACKUPS', 'etc.20261126.tar.bz2', 'bzip2', 'no']),
      rsyncArgs(ctx, 40123, knownHosts),
      snapshotRsyncArgs(ctx, knownHosts, '2026-11-25'),
      verifySnapshotArgs(ctx, knownHosts),
      [...tunnelSshCommand(40123, knownHosts).split(' '), 'backup@127.0.0.1', 'true'],
    ];
    for (const argv of admitted) {
      const r = throughGate(shell, shCommand(argv));
      expect(r.stderr, argv.join(' ')).not.toContain('burrow-gate');
      if (argv[0] !== 'sh') expect(r.stdout).toBe(`ran ${argv[0]}\0${argv.slice(1).join('\0')}`);
    }
  });

  it.each([
    ['no command at all (a shell)', undefined, 'no command: this key gets no shell'],
    ['an empty command', '', 'no command: this key gets no shell'],
    ['a plain command', 'id -un', "id is not one of Burrow's commands"],
    ["a script that is not one of Burrow's", shCommand(['sh', '-c', 'id', 'burrow']), "is not one of Burrow's"],
    ["one of Burrow's scripts with a byte added", shCommand(['sh', '-c', `${PACK_SCRIPT}id\n`, 'burrow']), "is not one of Burrow's"],
    ['sh without the burrow marker', shCommand(['sh', '-c', PACK_SCRIPT]), 'sh without a Burrow script'],
    ['command substitution outside quotes', 'sh -c $(id) burrow', 'a character outside quotes'],
    ['backticks', 'rsync `id`', 'a character outside quotes'],
    ['a second command after ;', `${shCommand(['sh', '-c', PACK_SCRIPT, 'burrow'])}; id`, 'a character outside quotes'],
    ['a newline outside quotes', `${shCommand(['sh', '-c', PACK_SCRIPT, 'burrow'])}\nid`, 'a character outside quotes'],
    ['an unterminated quote', "sh -c 'id", 'unterminated quote'],
    ['rsync with its own remote shell', shCommand(['rsync', '-e', 'sh -c id', '--', '/etc', 'u@127.0.0.1:/x']), 'not the tunnel ssh command'],
    [
      'rsync with an option injected into the known_hosts path',
      shCommand(['rsync', '-e', tunnelSshCommand(1, '/x -o ProxyCommand=id /known_hosts'), '--', '/etc', 'u@127.0.0.1:/x']),
      'not a known_hosts path',
    ],
    [
      'rsync with an extra ssh option at the end',
      shCommand(['rsync', '-e', `${tunnelSshCommand(1, knownHosts)} -o ProxyCommand=id`, '--', '/etc', 'u@127.0.0.1:/x']),
      'not the tunnel ssh command',
    ],
    [
      'rsync writing on the source (a restore, or planting a file)',
      shCommand(['rsync', '-e', tunnelSshCommand(1, knownHosts), '--', '/tmp/x', '/home/henry/.ssh/']),
      'rsync writing on this host',
    ],
    [
      'rsync pulling from the tunnel into the source',
      shCommand(['rsync', '-e', tunnelSshCommand(1, knownHosts), '--', 'u@127.0.0.1:/x', '/home/henry/']),
      'is not an absolute path on this host',
    ],
    [
      'rsync with an option Burrow does not use',
      shCommand(['rsync', '--log-file=/home/henry/.profile', '-e', tunnelSshCommand(1, knownHosts), '--', '/etc', 'u@127.0.0.1:/x']),
      'rsync option --log-file',
    ],
    ['rsync to another host', shCommand(['rsync', '-e', tunnelSshCommand(1, knownHosts), '--', '/etc', 'u@10.9.9.9:/x']), 'not a login through the tunnel'],
    [
      'rsync with a remote command of its choosing',
      shCommand(['rsync', '--rsync-path=sh -c id', '-e', tunnelSshCommand(1, knownHosts), '--', '/etc', 'u@127.0.0.1:/x']),
      'rsync --rsync-path',
    ],
    ['ssh running a command through the tunnel', shCommand([...tunnelSshCommand(1, knownHosts).split(' '), 'u@127.0.0.1', 'id']), 'runs only "true"'],
    [
      'ssh with two of its words in one',
      shCommand(['ssh', '-F none', ...tunnelSshCommand(1, knownHosts).split(' ').slice(3), 'u@127.0.0.1', 'true']),
      'ssh argument with a space',
    ],
  ])('refuses %s', (_what, command, why) => {
    const r = throughGate(shell, command);
    expect(r.code).toBe(126);
    expect(r.stderr).toContain(`burrow-gate: refused: `);
    expect(r.stderr).toContain(why);
    expect(r.stdout).toBe('');
  });
});

it('lets the prune script delete archives only, whatever names it is given', () => {
  const holding = join(dir, 'holding');
  mkdirSync(holding);
  for (const f of ['authorized_keys', 'etc.20261001.tar.bz2', '.profile']) writeFileSync(join(holding, f), 'x');
  for (const name of ['authorized_keys', '.profile', '../gate', '-rf']) {
    const r = throughGate('sh', shCommand(shScript(REMOVE_SCRIPT, [holding, 'etc.20261001.tar.bz2', name])));
    expect(r.code).toBe(64);
    expect(r.stderr).toContain(`not an archive name: ${name}`);
  }
  expect(existsSync(join(holding, 'authorized_keys')) && existsSync(join(holding, '.profile')) && existsSync(gate)).toBe(true);
  expect(existsSync(join(holding, 'etc.20261001.tar.bz2'))).toBe(true);
  expect(throughGate('sh', shCommand(shScript(REMOVE_SCRIPT, [holding, 'etc.20261001.tar.bz2']))).code).toBe(0);
  expect(existsSync(join(holding, 'etc.20261001.tar.bz2'))).toBe(false);
});

it("lets the pack and known_hosts scripts write archives and the run's known_hosts only", () => {
  const ssh = join(dir, 'home', '.ssh');
  mkdirSync(ssh, { recursive: true });
  const pack = throughGate('sh', shCommand(shScript(PACK_SCRIPT, ['/etc', ssh, 'authorized_keys', 'zstd', 'no'])));
  expect(pack.code).toBe(64);
  expect(pack.stderr).toContain('not an archive name: authorized_keys');
  const kh = throughGate('sh', shCommand(shScript(KNOWN_HOSTS_SCRIPT, [ssh, 'x', 'ssh-ed25519 AAAA'])));
  expect(kh.code).toBe(64);
  expect(kh.stderr).toContain(`not a Burrow temporary directory: ${ssh}`);
  expect(existsSync(join(ssh, 'authorized_keys')) || existsSync(join(ssh, 'known_hosts'))).toBe(false);
  const tmp = join(dir, 'burrow.Ab12Cd34');
  mkdirSync(tmp);
  expect(throughGate('sh', shCommand(shScript(KNOWN_HOSTS_SCRIPT, [tmp, 'burrow-destination', 'ssh-ed25519 AAAA']))).code).toBe(0);
  expect(existsSync(join(tmp, 'known_hosts'))).toBe(true);
});

it('is plain POSIX sh that dash parses (sh -n)', () => {
  expect(() => execFileSync('sh', ['-n', gate])).not.toThrow();
});
