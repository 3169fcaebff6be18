/**
 * The source key's gate, run by real shells (dash as Debian's sh, and bash)
 * the way sshd runs a forced command: SSH_ORIGINAL_COMMAND in the
 * environment, HOME and TMPDIR in a sandbox tree. Burrow's scripts run for
 * real (tar, sha256sum, rm); `rsync` and `ssh` are stand-ins on PATH that
 * print what they were given, so admission is seen without a network. The
 * lab test (test/engine/gate-hostile.test.ts) replays the real thing
 * through sshd.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { validateConfig, type BurrowConfig } from '../../shared/config-schema';
import { gatePinsFor } from '../../electron/engine/keys/gate-pins';
import { GATE_MAX_BYTES, GATE_QUERY_SCRIPT, SOURCE_SCRIPTS, sourceGateScript, type ArgRule } from '../../electron/engine/keys/source-gate';
import type { RunContext } from '../../electron/engine/run-context';
import { shCommand, shScript } from '../../electron/engine/shell-quote';
import { SOURCES_PRESENT, snapshotRsyncArgs } from '../../electron/engine/formats/snapshot/transfer';
import { SENT_SUMS_SCRIPT } from '../../electron/engine/formats/snapshot/verify';
import { KNOWN_HOSTS_SCRIPT, MKTEMP_SCRIPT, RUN_TMP_SCRIPT, STALE_TMP_SCRIPT, tunnelSshArgv, tunnelSshCommand } from '../../electron/engine/tunnel-rsync';
import { STALE_PARTIALS_SCRIPT } from '../../electron/engine/formats/archive/leftovers';
import { EXISTING_SCRIPT, MKDIR_SCRIPT, PACK_SCRIPT } from '../../electron/engine/formats/archive/pack';
import { HOLDING_AGES_SCRIPT, REMOVE_SCRIPT } from '../../electron/engine/formats/archive/prune';
import { LIST_WITH_MARKER_SCRIPT, MARKER } from '../../electron/engine/destination-marker';
import { SUMS_SCRIPT, rsyncArgs } from '../../electron/engine/formats/archive/transfer';
import { REMOVE_TMP_SCRIPT } from '../../electron/engine/steps/teardown';
import { RSYNC_VERSION_SCRIPT } from '../../electron/engine/steps/commands';
import { listTree, treeChanges } from './tree-listing';

const root = mkdtempSync(join(tmpdir(), 'gate-sandbox-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const home = join(root, 'home');
const tmp = join(root, 'tmp');
const bin = join(root, 'bin');
const other = join(root, 'other');
const holding = join(home, 'holding');
const projects = join(home, 'data', 'projects');
const etc = join(home, 'data', 'etc');
for (const d of [bin, tmp, other, holding, join(home, 'holding-root'), join(projects, 'sub'), etc, join(home, '.ssh'), join(home, '.bashrc.d')])
  mkdirSync(d, { recursive: true });
writeFileSync(join(projects, 'README'), 'projects\n');
writeFileSync(join(projects, 'sub', 'a.txt'), 'a\n');
writeFileSync(join(etc, 'hosts'), '127.0.0.1 localhost\n');
writeFileSync(join(home, '.ssh', 'authorized_keys'), 'ssh-ed25519 AAAA the-key\n');
writeFileSync(join(home, '.bashrc'), 'for f in ~/.bashrc.d/*; do . "$f"; done\n');
writeFileSync(join(other, 'their-file'), 'not yours\n');
writeFileSync(join(holding, 'projects.20261001.tar.bz2'), 'old archive');
// Doors out of the pinned dirs that a thief would like the gate to walk through.
symlinkSync(join(home, '.ssh'), join(home, 'holding-link'));
symlinkSync(join(home, '.ssh'), join(projects, 'door'));
symlinkSync(join(home, '.ssh'), join(tmp, 'burrow.Link0001'));
mkdirSync(join(tmp, 'burrow.'));
mkdirSync(join(tmp, 'burrow.Others01'));
const isRoot = process.getuid?.() === 0;
if (isRoot) chownSync(join(tmp, 'burrow.Others01'), 65534, 65534);
for (const prog of ['rsync', 'ssh']) {
  writeFileSync(join(bin, prog), `#!/bin/sh\nprintf 'ran ${prog} LC_ALL=%s' "$LC_ALL"; printf '\\0%s' "$@"\n`);
  chmodSync(join(bin, prog), 0o755);
}

const destKey = execFileSync('sh', ['-c', `ssh-keygen -q -t ed25519 -N '' -f ${join(root, 'dk')} && cat ${join(root, 'dk')}.pub`], { encoding: 'utf8' })
  .trim()
  .split(' ')
  .slice(0, 2)
  .join(' ');
const fpKey = execFileSync('sh', ['-c', `ssh-keygen -q -t ed25519 -N '' -f ${join(root, 'fk')} && cat ${join(root, 'fk')}.pub`], { encoding: 'utf8' })
  .trim()
  .split(' ')
  .slice(0, 2)
  .join(' ');
const fpPin = execFileSync('ssh-keygen', ['-lf', `${join(root, 'fk')}.pub`], { encoding: 'utf8' }).split(' ')[1]!;

function makeConfig(jobs: object[]): BurrowConfig {
  const r = validateConfig({
    hosts: {
      source: { hostname: '10.0.0.1', user: 'henry', hostKey: destKey },
      jump: { hostname: '10.0.0.2', user: 'backup', hostKey: destKey },
      jump2: { hostname: '10.0.0.3', user: 'store', hostKey: fpPin },
    },
    jobs,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
}
const config = makeConfig([
  { name: 'daily', source: 'source', paths: [projects, etc], holdingDir: holding, destination: { host: 'jump', path: '/backups' }, bwlimitKiBps: 5000 },
  {
    name: 'rooted',
    source: 'source',
    paths: [etc],
    holdingDir: join(home, 'holding-root'),
    sudo: true,
    compression: 'zstd',
    destination: { host: 'jump', path: '/backups-root' },
  },
  { name: 'snap', source: 'source', format: 'snapshot', paths: [projects], holdingDir: holding, destination: { host: 'jump2', path: '/srv/snaps' } },
]);
const daily = config.jobs[0]!;
const snap = config.jobs[2]!;

const PRINT = 'for a; do printf "%s\\0" "$a"; done';
const gate = join(root, 'gate');
// The parser's round trip needs a script that takes any arguments: only this test's copy of the gate has one.
writeFileSync(
  gate,
  sourceGateScript(gatePinsFor(config, 'source'), [...SOURCE_SCRIPTS, { text: PRINT, rule: 'test-any' as ArgRule }]).replace(
    '# The rules for each script',
    'chk_test_any() { :; }\n# The rules for each script',
  ),
);

const shells = ['sh', 'bash'].filter((s) => spawnSync('sh', ['-c', `command -v ${s}`]).status === 0);
if (!shells.includes('bash')) console.warn('[source-gate] the bash runs are skipped: bash is not installed');

function throughGate(shell: string, command: string | undefined, env: NodeJS.ProcessEnv = {}, input?: string) {
  const e: NodeJS.ProcessEnv = { PATH: `${bin}:/usr/bin:/bin`, HOME: home, TMPDIR: tmp, ...env };
  if (command !== undefined) e.SSH_ORIGINAL_COMMAND = command;
  const r = spawnSync(shell, [gate], { env: e, encoding: 'utf8', cwd: home, ...(input !== undefined ? { input } : {}) });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const refused = (r: { stderr: string }) => r.stderr.includes('burrow-gate: refused');

function ctxFor(job: BurrowConfig['jobs'][number]): RunContext {
  return {
    config,
    job,
    destinationHost: config.hosts[job.destination.host],
    record: { stamp: '20261126', plan: { pruneSource: [], send: [], deleteAtDestination: ['a.20261001.tar.bz2'] } },
    tunnel: { port: 40123 },
  } as unknown as RunContext;
}
const runTmp = join(tmp, 'burrow.Ab12Cd34');
mkdirSync(runTmp);
const knownHosts = join(runTmp, 'known_hosts');
const [dkType, dkB64] = destKey.split(' ') as [string, string];
const [fkType, fkB64] = fpKey.split(' ') as [string, string];

/** Every command a real run, dry run, check, archives and verify send to the source, built with the engine's own builders. */
const REAL: { what: string; argv: string[] }[] = [
  { what: 'pack', argv: shScript(PACK_SCRIPT, [etc, holding, 'etc.20261126.tar.bz2', 'bzip2', 'no']) },
  { what: 'pack with sudo (a sudo job)', argv: shScript(PACK_SCRIPT, [etc, join(home, 'holding-root'), 'etc.20261126.tar.zst', 'zstd', 'yes']) },
  { what: 'mkdir of the holding dir', argv: shScript(MKDIR_SCRIPT, [holding]) },
  { what: 'already packed (dry run)', argv: shScript(EXISTING_SCRIPT, [`${holding}/projects.20261126.tar.bz2`, `${holding}/etc.20261126.tar.bz2`]) },
  { what: 'holding ages', argv: shScript(HOLDING_AGES_SCRIPT, [holding]) },
  { what: 'list with marker', argv: shScript(LIST_WITH_MARKER_SCRIPT, [holding, MARKER]) },
  { what: 'sums', argv: shScript(SUMS_SCRIPT, [holding, 'projects.20261001.tar.bz2']) },
  { what: 'remove', argv: shScript(REMOVE_SCRIPT, [holding, 'etc.20250101.tar.bz2']) },
  { what: 'sources present', argv: shScript(SOURCES_PRESENT, [projects]) },
  { what: 'checksums of what a snapshot sent', argv: shScript(SENT_SUMS_SCRIPT, [projects]) },
  { what: 'mktemp', argv: shScript(MKTEMP_SCRIPT, []) },
  { what: "a run's temporary directory, marked with its job", argv: shScript(RUN_TMP_SCRIPT, ['daily']) },
  { what: 'clean-up of temporary directories of earlier runs', argv: shScript(STALE_TMP_SCRIPT, ['daily']) },
  { what: 'clean-up of half-written archives', argv: shScript(STALE_PARTIALS_SCRIPT, [holding]) },
  { what: 'rsync version', argv: shScript(RSYNC_VERSION_SCRIPT, []) },
  { what: 'known_hosts (pinned key)', argv: shScript(KNOWN_HOSTS_SCRIPT, [runTmp, dkType, dkB64]) },
  { what: 'known_hosts (pinned fingerprint)', argv: shScript(KNOWN_HOSTS_SCRIPT, [runTmp, fkType, fkB64]) },
  { what: 'archive transfer', argv: rsyncArgs(ctxFor(daily), knownHosts) },
  { what: 'snapshot transfer', argv: snapshotRsyncArgs(ctxFor(snap), knownHosts, '2026-11-25') },
  { what: 'snapshot transfer updating the same day', argv: snapshotRsyncArgs(ctxFor(snap), knownHosts, '2026-11-26') },
  { what: 'the check through the tunnel', argv: [...tunnelSshArgv(40123, knownHosts), 'backup@127.0.0.1', 'true'] },
  { what: 'the gate query', argv: shScript(GATE_QUERY_SCRIPT, []) },
];

describe.each(shells)('the source gate under %s', (shell) => {
  it('reads back any argument list Burrow quotes, byte for byte (fast-check)', () => {
    const noControl = fc.string({ unit: 'binary' }).map((s) => s.replace(/[\u0000-\u001f\u007f]/g, ''));
    fc.assert(
      fc.property(fc.array(noControl, { maxLength: 6 }), (args) => {
        const r = throughGate(shell, shCommand(shScript(PRINT, args)));
        expect(r.stderr).toBe('');
        expect(r.stdout).toBe(args.map((a) => `${a}\0`).join(''));
      }),
      { numRuns: 100 },
    );
  }, 60_000);

  it.each(REAL)("admits Burrow's own command: $what", ({ argv }) => {
    const r = throughGate(shell, shCommand(argv));
    expect(refused(r), r.stderr).toBe(false);
    if (argv[0] !== 'sh') expect(r.stdout).toBe(`ran ${argv[0]} LC_ALL=C\0${argv.slice(1).join('\0')}`);
  });

  it('answers the query with its scripts hash and the pinned jobs', () => {
    const r = throughGate(shell, shCommand(shScript(GATE_QUERY_SCRIPT, [])));
    const [head, scripts, pins] = r.stdout.trim().split('\n');
    expect(head).toBe('burrow-gate 2');
    expect(scripts).toMatch(/^scripts [0-9a-f]{16}$/);
    expect(JSON.parse(pins!.slice(5))).toEqual(gatePinsFor(config, 'source'));
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
    ['a newline inside an argument', shCommand(shScript(HOLDING_AGES_SCRIPT, [`${holding}\n`])), 'a control character in an argument'],
    ['an unterminated quote', "sh -c 'id", 'unterminated quote'],
    ['a command over 16 KiB', shCommand(shScript(HOLDING_AGES_SCRIPT, ['x'.repeat(GATE_MAX_BYTES)])), 'longer than 16384 bytes'],
    ['more than 512 words', shCommand(shScript(SUMS_SCRIPT, [holding, ...Array.from({ length: 600 }, (_, i) => `f${i}`)])), 'more than 512 words'],
    ['pack from a directory no job reads', shCommand(shScript(PACK_SCRIPT, [other, holding, 'other.20261126.tar.bz2', 'bzip2', 'no'])), 'is not pinned'],
    [
      'pack into a directory that is not a holding dir',
      shCommand(shScript(PACK_SCRIPT, [etc, join(home, '.ssh'), 'etc.20261126.tar.bz2', 'bzip2', 'no'])),
      'is not pinned',
    ],
    ['pack with sudo for a job without sudo: true', shCommand(shScript(PACK_SCRIPT, [etc, holding, 'etc.20261126.tar.bz2', 'bzip2', 'yes'])), 'is not pinned'],
    ['pack with another compression', shCommand(shScript(PACK_SCRIPT, [etc, holding, 'etc.20261126.tar.gz', 'gzip', 'no'])), 'is not pinned'],
    ['pack under a name of its choosing', shCommand(shScript(PACK_SCRIPT, [etc, holding, 'authorized_keys', 'bzip2', 'no'])), 'is not pinned'],
    ['mkdir of any other directory', shCommand(shScript(MKDIR_SCRIPT, [join(home, '.bashrc.d', 'x')])), 'is not a holding dir pinned'],
    ['the holding dir through a symlink', shCommand(shScript(HOLDING_AGES_SCRIPT, [join(home, 'holding-link')])), 'is not a holding dir pinned'],
    ['remove in a directory that is not a holding dir', shCommand(shScript(REMOVE_SCRIPT, [join(home, '.ssh'), 'x.tar.bz2'])), 'is not a holding dir pinned'],
    ['remove of a file that is not an archive', shCommand(shScript(REMOVE_SCRIPT, [holding, 'authorized_keys'])), 'is not an archive name'],
    ['sums of a path outside the holding dir', shCommand(shScript(SUMS_SCRIPT, [holding, '../.ssh/authorized_keys'])), 'is not a file name'],
    ['known_hosts into ~/.ssh', shCommand(shScript(KNOWN_HOSTS_SCRIPT, [join(home, '.ssh'), dkType, dkB64])), 'is not a Burrow temporary directory'],
    [
      'known_hosts through burrow./../ (a ? matches /)',
      shCommand(shScript(KNOWN_HOSTS_SCRIPT, [`${tmp}/burrow./../../home/.bashrc.d`, dkType, dkB64])),
      'is not a Burrow temporary directory',
    ],
    [
      'known_hosts into a 7-character burrow. dir',
      shCommand(shScript(KNOWN_HOSTS_SCRIPT, [`${tmp}/burrow.Ab12Cd3`, dkType, dkB64])),
      'is not a Burrow temporary directory',
    ],
    [
      'known_hosts into a symlinked burrow. dir',
      shCommand(shScript(KNOWN_HOSTS_SCRIPT, [join(tmp, 'burrow.Link0001'), dkType, dkB64])),
      'is not a Burrow temporary directory',
    ],
    [
      'known_hosts with a key that is not pinned',
      shCommand(shScript(KNOWN_HOSTS_SCRIPT, [runTmp, 'ssh-ed25519', 'AAAAC3NzaC1lZDI1NTE5AAAAIFake'])),
      'is not the pinned destination host key',
    ],
    [
      'known_hosts with free text for a key',
      shCommand(shScript(KNOWN_HOSTS_SCRIPT, [runTmp, 'ssh-ed25519', 'AAAA touch ~/PWNED'])),
      'is not the pinned destination host key',
    ],
    ['clean-up of ~/.ssh', shCommand(shScript(REMOVE_TMP_SCRIPT, [join(home, '.ssh')])), 'is not a Burrow temporary directory'],
    ['clean-up through burrow./..', shCommand(shScript(REMOVE_TMP_SCRIPT, [`${tmp}/burrow./../../home/.ssh`])), 'is not a Burrow temporary directory'],
    ['a script that takes no arguments, with one', shCommand(shScript(MKTEMP_SCRIPT, ['/x'])), 'takes no arguments'],
    ['clean-up of half-written archives in ~/.ssh', shCommand(shScript(STALE_PARTIALS_SCRIPT, [join(home, '.ssh')])), 'is not a holding dir pinned'],
    [
      'clean-up of half-written archives through a symlinked holding dir',
      shCommand(shScript(STALE_PARTIALS_SCRIPT, [join(home, 'holding-link')])),
      'is not a holding dir pinned',
    ],
    ['clean-up of half-written archives in two dirs', shCommand(shScript(STALE_PARTIALS_SCRIPT, [holding, join(home, '.ssh')])), 'one holding dir'],
    ['a temporary directory marked for a job no one pinned', shCommand(shScript(RUN_TMP_SCRIPT, ['other'])), 'is not a job pinned'],
    ['a temporary directory marked with a path', shCommand(shScript(RUN_TMP_SCRIPT, [`daily/../../.ssh`])), 'is not a job pinned'],
    ['a temporary directory marked with two words', shCommand(shScript(RUN_TMP_SCRIPT, ['daily', 'snap'])), 'one job name'],
    ['clean-up of temporary directories of a job no one pinned', shCommand(shScript(STALE_TMP_SCRIPT, ['*'])), 'is not a job pinned'],
    // The pinned names are compared as strings: a pattern that would match "daily" (or "snap") is no name.
    ...['dail?', 'd*', '[d]aily', 'daily/', '?????', 'snap*', 'daily ', ' daily'].map((name): [string, string, string] => [
      `clean-up of temporary directories of job "${name}"`,
      shCommand(shScript(STALE_TMP_SCRIPT, [name])),
      'is not a job pinned',
    ]),
    ['clean-up of temporary directories with no job', shCommand(shScript(STALE_TMP_SCRIPT, [])), 'one job name'],
    ['rsync with its own remote shell', shCommand(['rsync', '-e', 'sh -c id', '--', etc, 'backup@127.0.0.1:/backups/']), 'not the tunnel ssh command'],
    [
      'rsync with an option injected into the known_hosts path',
      shCommand(['rsync', '-e', tunnelSshCommand(1, '/x -o ProxyCommand=id /known_hosts'), '--', `${holding}/`, 'backup@127.0.0.1:/backups/']),
      'not a known_hosts path',
    ],
    [
      'rsync with a known_hosts outside the temporary directory',
      shCommand(['rsync', '-e', tunnelSshCommand(1, join(home, '.ssh', 'known_hosts')), '--', `${holding}/`, 'backup@127.0.0.1:/backups/']),
      'is not a Burrow temporary directory',
    ],
    [
      'rsync with an extra ssh option at the end',
      shCommand(['rsync', '-e', `${tunnelSshCommand(1, knownHosts)} -o ProxyCommand=id`, '--', `${holding}/`, 'backup@127.0.0.1:/backups/']),
      'not the tunnel ssh command',
    ],
    [
      'rsync writing on the source (a restore, or planting a file)',
      shCommand(['rsync', '-e', tunnelSshCommand(1, knownHosts), '--', '/tmp/x', `${home}/.ssh/`]),
      'rsync writing on this host',
    ],
    [
      'rsync pulling from the tunnel into the source',
      shCommand(['rsync', '-e', tunnelSshCommand(1, knownHosts), '--', 'u@127.0.0.1:/x', `${home}/`]),
      'is not an absolute path on this host',
    ],
    [
      'rsync sending a directory no job reads',
      shCommand(['rsync', '-e', tunnelSshCommand(1, knownHosts), '--', `${home}/.ssh/`, 'backup@127.0.0.1:/backups/']),
      'is not pinned',
    ],
    [
      'rsync into another destination path',
      shCommand(['rsync', '-e', tunnelSshCommand(1, knownHosts), '--', `${holding}/`, 'backup@127.0.0.1:/elsewhere/']),
      'is not pinned',
    ],
    [
      'rsync with an option Burrow does not use',
      shCommand(['rsync', `--log-file=${home}/.profile`, '-e', tunnelSshCommand(1, knownHosts), '--', `${holding}/`, 'backup@127.0.0.1:/backups/']),
      'rsync option --log-file',
    ],
    [
      'rsync to another host',
      shCommand(['rsync', '-e', tunnelSshCommand(1, knownHosts), '--', `${holding}/`, 'backup@10.9.9.9:/backups/']),
      'not a login through the tunnel',
    ],
    [
      'rsync with a remote command of its choosing',
      shCommand(['rsync', '--rsync-path=sh -c id', '-e', tunnelSshCommand(1, knownHosts), '--', `${holding}/`, 'backup@127.0.0.1:/backups/']),
      'is not pinned',
    ],
    [
      'rsync linking to a directory outside the snapshot root',
      shCommand(['rsync', '--link-dest=/etc', '-e', tunnelSshCommand(1, knownHosts), '--', projects, 'store@127.0.0.1:/srv/snaps/snap/.2026-11-26.partial/']),
      'is not pinned',
    ],
    ['ssh running a command through the tunnel', shCommand([...tunnelSshArgv(1, knownHosts), 'backup@127.0.0.1', 'id']), 'runs only "true"'],
    [
      'ssh through the tunnel as a user no job names',
      shCommand([...tunnelSshArgv(1, knownHosts), 'root@127.0.0.1', 'true']),
      'is not a pinned destination user',
    ],
    [
      'ssh with two of its words in one',
      shCommand(['ssh', '-F none', ...tunnelSshArgv(1, knownHosts).slice(3), 'backup@127.0.0.1', 'true']),
      'ssh argument with a space',
    ],
  ])('refuses %s', (_what, command, why) => {
    const r = throughGate(shell, command);
    expect(r.code).toBe(126);
    expect(r.stderr).toContain(`burrow-gate: refused: `);
    expect(r.stderr).toContain(why);
    expect(r.stdout).toBe('');
  });

  it.skipIf(!isRoot)("refuses another user's burrow. directory (as root: one is made for nobody)", () => {
    const r = throughGate(shell, shCommand(shScript(REMOVE_TMP_SCRIPT, [join(tmp, 'burrow.Others01')])));
    expect(r.stderr).toContain('is not a Burrow temporary directory of this user');
    expect(existsSync(join(tmp, 'burrow.Others01'))).toBe(true);
  });

  it('checksums what a snapshot sent only for names inside the pinned directories: the names on standard input are checked by the script itself', () => {
    const names = [
      'projects/README',
      'projects/../../.ssh/authorized_keys',
      '../home/.ssh/authorized_keys',
      'projects/door/authorized_keys',
      'etc/hosts',
      '/etc/passwd',
      'projects//README',
      'projects/./README',
    ];
    const r = throughGate(shell, shCommand(shScript(SENT_SUMS_SCRIPT, [projects])), {}, names.map((n) => `${n}\0`).join(''));
    expect(refused(r), r.stderr).toBe(false);
    const parts = r.stdout.split('\0');
    expect(parts.filter((p) => p.startsWith('G')).map((p) => p.slice(1))).toEqual(names.slice(1));
    expect(r.stdout).toContain(`S${join(projects, 'README')}`);
    expect(r.stdout).not.toContain('authorized_keys\0S');
    expect(r.stdout.match(/[0-9a-f]{64} {2}/g)).toHaveLength(1);
    // Only the pinned directories as its arguments.
    expect(refused(throughGate(shell, shCommand(shScript(SENT_SUMS_SCRIPT, [join(home, '.ssh')])), {}, 'authorized_keys\0'))).toBe(true);
  });

  it('parses under LC_ALL=C whatever locale sshd passes on, and passes C to what it runs', () => {
    const argv = rsyncArgs(ctxFor(daily), knownHosts);
    const r = throughGate(shell, shCommand(argv), { LC_ALL: 'tr_TR.UTF-8', LANG: 'tr_TR.UTF-8', LC_CTYPE: 'tr_TR.UTF-8' });
    expect(r.stdout.startsWith('ran rsync LC_ALL=C\0')).toBe(true);
  });
});
if (!isRoot) console.warn('[source-gate] the other-user temporary dir case is skipped: it needs root to chown a directory to nobody');

/** A PID no process has: one that just ended (reused within the test only by bad luck). */
const deadPid = () => spawnSync('true').pid!;

describe.each(shells)("the clean-up through the gate under %s removes Burrow's own leftovers and nothing else", (shell) => {
  it('half-written archives whose packing process is gone; not one still written, not another name, not a symlink', () => {
    const gone = deadPid();
    const names = {
      stale: `.projects.20261125.tar.bz2.partial.${gone}`,
      writing: `.projects.20261126.tar.bz2.partial.${process.pid}`,
      notArchive: `.authorized_keys.partial.${gone}`,
      notPid: '.etc.20261126.tar.gz.partial.x1',
      link: `.etc.20261126.tar.bz2.partial.${gone}`,
    };
    for (const n of [names.stale, names.writing, names.notArchive, names.notPid]) writeFileSync(join(holding, n), 'half\n');
    symlinkSync(join(home, '.ssh', 'authorized_keys'), join(holding, names.link));
    try {
      const r = throughGate(shell, shCommand(shScript(STALE_PARTIALS_SCRIPT, [holding])));
      expect(refused(r), r.stderr).toBe(false);
      expect(r.stdout.split('\0').filter(Boolean).sort()).toEqual(['kept', names.writing, 'removed', names.stale].sort());
      expect(existsSync(join(holding, names.stale))).toBe(false);
      for (const n of [names.writing, names.notArchive, names.notPid, names.link]) expect(existsSync(join(holding, n)), n).toBe(true);
      expect(readFileSync(join(home, '.ssh', 'authorized_keys'), 'utf8')).toContain('the-key');
      expect(existsSync(join(holding, 'projects.20261001.tar.bz2'))).toBe(true);
    } finally {
      for (const n of Object.values(names)) rmSync(join(holding, n), { force: true });
    }
  });

  it("this job's temporary directories and any older than a day; not another job's fresh one, not a symlink", () => {
    const made = throughGate(shell, shCommand(shScript(RUN_TMP_SCRIPT, ['daily'])));
    expect(refused(made), made.stderr).toBe(false);
    const runDir = made.stdout.trim();
    expect(runDir).toMatch(new RegExp(`^${tmp}/burrow\\.[A-Za-z0-9]{8}$`));
    expect(readFileSync(join(runDir, 'run-of'), 'utf8')).toBe('daily\n');
    const snapDir = join(tmp, 'burrow.Snap0001');
    const oldDir = join(tmp, 'burrow.Old00001');
    const freshDir = join(tmp, 'burrow.Fresh001');
    for (const d of [snapDir, oldDir, freshDir]) mkdirSync(d);
    writeFileSync(join(snapDir, 'run-of'), 'snap\n');
    execFileSync('touch', ['-d', '2 days ago', oldDir]);
    try {
      const r = throughGate(shell, shCommand(shScript(STALE_TMP_SCRIPT, ['daily'])));
      expect(refused(r), r.stderr).toBe(false);
      expect(r.stdout.split('\0').filter(Boolean).sort()).toEqual(['old', oldDir, 'run', runDir].sort());
      for (const d of [runDir, oldDir]) expect(existsSync(d), d).toBe(false);
      for (const d of [snapDir, freshDir, runTmp, join(tmp, 'burrow.Link0001'), join(tmp, 'burrow.Others01')]) expect(existsSync(d), d).toBe(true);
      expect(readFileSync(join(home, '.ssh', 'authorized_keys'), 'utf8')).toContain('the-key');
    } finally {
      for (const d of [runDir, snapDir, oldDir, freshDir]) rmSync(d, { recursive: true, force: true });
    }
  });
});

/**
 * Hostile values for an argument: traversal and doubled slashes around the
 * real value, short tails after `burrow.`, symlinks out of the pinned dirs,
 * other users' and the user's own sensitive dirs, newlines, long values.
 */
function hostile(valid: string): fc.Arbitrary<string> {
  const doors = [
    join(home, '.ssh'),
    join(home, '.bashrc.d'),
    other,
    '/etc',
    join(home, 'holding-link'),
    join(tmp, 'burrow.Link0001'),
    join(tmp, 'burrow.Others01'),
    `${tmp}/burrow.`,
    `${tmp}/burrow./../../home/.ssh`,
    `${tmp}/burrow./../../home/.bashrc.d`,
    `${holding}/../.ssh`,
    `${holding}/../.bashrc.d`,
  ];
  return fc.oneof(
    fc.constantFrom(...doors),
    fc.constantFrom(`${valid}/..`, `${valid}/../.ssh`, `${valid}/.`, `${valid}//`, `/${valid}`, valid.replace('/', '//'), valid.replace(/\/([^/]*)$/, '/./$1')),
    fc.integer({ min: 1, max: 8 }).map((n) => `${tmp}/burrow.${'A1b2C3d4'.slice(0, n)}`),
    fc.constantFrom(`${valid}\n`, `${valid}\n${join(home, '.ssh')}`, 'x'.repeat(20_000), '', '-rf', '..', '/', 'touch ~/PWNED'),
    fc.string({ maxLength: 40 }),
  );
}

/** What the gate may change: the holding dirs and Burrow's own temporary dirs. */
const MAY_CHANGE = [holding, join(home, 'holding-root'), new RegExp(`^${tmp}/burrow\\.[A-Za-z0-9]{8}(/|$)`)];

describe.each(shells)('hostile arguments through the gate under %s (fast-check)', (shell) => {
  it.each(REAL.filter((c) => c.what !== 'the gate query'))(
    '$what: nothing outside the pinned dirs and the temporary dir changes',
    ({ argv }) => {
      const positions = argv.map((_, i) => i).filter((i) => !(argv[0] === 'sh' && i < 4) && argv[i] !== '--' && argv[i] !== '-e');
      if (positions.length === 0) return;
      fc.assert(
        fc.property(
          fc.constantFrom(...positions).chain((i) => hostile(argv[i]!).map((v) => ({ i, v }))),
          ({ i, v }) => {
            const before = listTree(root);
            const hostileArgv = argv.map((a, j) => (j === i ? v : a));
            const r = throughGate(shell, shCommand(hostileArgv));
            const changed = treeChanges(before, listTree(root), MAY_CHANGE);
            expect(changed, `${shCommand(hostileArgv).slice(0, 300)}\n${r.stderr}`).toEqual([]);
            expect(existsSync(join(home, 'PWNED'))).toBe(false);
          },
        ),
        { numRuns: 20 },
      );
    },
    120_000,
  );
});

it('the tree listing sees what an ungated script would change (the oracle can fail)', () => {
  const before = listTree(root);
  execFileSync('sh', ['-c', MKDIR_SCRIPT, 'burrow', join(home, '.bashrc.d', 'evil')], { env: { PATH: '/usr/bin:/bin' } });
  expect(treeChanges(before, listTree(root), MAY_CHANGE)).toEqual([`added ${join(home, '.bashrc.d', 'evil')}`]);
  rmSync(join(home, '.bashrc.d', 'evil'), { recursive: true });
});

it('lets a sudo job pack with sudo and no other job', () => {
  const admitted = REAL.find((c) => c.what.startsWith('pack with sudo'))!;
  expect(refused(throughGate('sh', shCommand(admitted.argv)))).toBe(false);
  expect(refused(throughGate('sh', shCommand(shScript(PACK_SCRIPT, [etc, holding, 'etc.20261126.tar.bz2', 'bzip2', 'yes']))))).toBe(true);
});

it("the scripts check their own inputs too: known_hosts and clean-up touch Burrow's temporary dirs only", () => {
  const env = { PATH: '/usr/bin:/bin', HOME: home, TMPDIR: tmp };
  const sh = (argv: string[]) => spawnSync(argv[0]!, argv.slice(1), { env, encoding: 'utf8' });
  const kh = sh(shScript(KNOWN_HOSTS_SCRIPT, [join(home, '.ssh'), dkType, dkB64]));
  expect(kh.status).toBe(64);
  expect(kh.stderr).toContain('not a Burrow temporary directory');
  expect(existsSync(join(home, '.ssh', 'known_hosts'))).toBe(false);
  const rm = sh(shScript(REMOVE_TMP_SCRIPT, [`${tmp}/burrow./../../home/.ssh`]));
  expect(rm.status).toBe(64);
  expect(readFileSync(join(home, '.ssh', 'authorized_keys'), 'utf8')).toContain('the-key');
  const ok = sh(shScript(KNOWN_HOSTS_SCRIPT, [runTmp, dkType, dkB64]));
  expect(ok.status).toBe(0);
  expect(readFileSync(knownHosts, 'utf8')).toBe(`burrow-destination ${destKey}\n`);
});

it('is plain POSIX sh that dash parses (sh -n)', () => {
  expect(() => execFileSync('sh', ['-n', gate])).not.toThrow();
});
