/**
 * Restricted keys against real sshd and rrsync. A destination key
 * (`restrict,command="rrsync -wo -absolute DIR"`) gets no shell, no
 * command, no forward, no pty and can only write below DIR; a source key
 * (`restrict,port-forwarding,permitlisten=127.0.0.1,agent-forwarding`) gets
 * no pty, no forward but the loopback listener, and no command but
 * Burrow's own (its gate, ~/.ssh/burrow-gate), and still carries a backup
 * in both formats, a dry run and `burrow check`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BurrowConfig } from '../../shared/config-schema';
import { ManualClock } from '../../shared/clock';
import { BackupRun } from '../../electron/engine/backup-run';
import { checkJob } from '../../electron/engine/check';
import type { RunContext } from '../../electron/engine/run-context';
import { serveAgent, type AgentSocket } from '../../electron/engine/keys/agent-socket';
import { SOURCE_KEY_OPTIONS } from '../../electron/engine/keys/authorized-keys';
import { sourceGateFor } from '../../electron/engine/keys/source-gate';
import { tunnelSshCommand } from '../../electron/engine/tunnel-rsync';
import { installKey } from '../../electron/engine/keys/install-key';
import { KeyStore } from '../../electron/engine/keys/key-store';
import { StoreAgentProvider } from '../../electron/engine/keys/store-agent-provider';
import { KeyAgent } from '../../electron/engine/ssh/key-agent';
import { SshSession } from '../../electron/engine/ssh/ssh-session';
import { rsyncArgs } from '../../electron/engine/formats/archive/transfer';
import { netnsUnavailableReason, startLab, type Lab, type LabHost } from '../../electron/lab/lab';
import { run } from '../../electron/lab/run';
import { knownHostsEntry, writeKnownHosts } from '../../electron/lab/ssh-client';
import { day, labConfig, writeSampleTree } from './fixtures';

const skip = await netnsUnavailableReason();
if (skip) console.warn(`[keys-restricted] skipped: the netns lab is unavailable (${skip})`);
const password = `pw-${randomBytes(8).toString('hex')}`;
const passphrase = `pp-${randomBytes(8).toString('hex')}`;
let lab: Lab;
let store: KeyStore;
let backups: string;
let knownHosts: string;
const sockets: Record<string, AgentSocket> = {};

beforeAll(async () => {
  if (skip) return;
  lab = await startLab({ mode: 'netns', passwordAuth: { password } });
  backups = join(lab.destination.home, 'backups');
  store = new KeyStore({ dir: join(lab.dir, 'laptop', 'keys') });
  // Only store keys get in: the lab's own client key goes.
  for (const h of [lab.source, lab.destination]) rmSync(join(h.home, '.ssh'), { recursive: true, force: true });
  for (const name of ['src', 'xfer', 'admin']) {
    await store.generate(name, { passphrase });
    sockets[name] = await serveAgent(new KeyAgent([await store.unlock(name, passphrase)]), join(lab.dir, 'laptop'));
  }
  const config = storeConfig('burrow:src', 'burrow:admin');
  const install = async (key: string, hostName: string, role: 'source' | 'destination' | 'unrestricted', backupPath?: string) =>
    installKey({ config, hostName, publicKeyLine: (await store.info(key)).publicKeyLine, password, role, ...(backupPath ? { backupPath } : {}) });
  await install('src', 'source', 'source');
  await install('xfer', 'destination', 'destination', backups);
  await install('admin', 'destination', 'unrestricted');
  knownHosts = join(lab.dir, 'laptop', 'keys-known_hosts');
  await writeKnownHosts(
    knownHosts,
    [lab.source, lab.destination].map((h) => knownHostsEntry(h.address, h.port, h.hostKeyLine)),
  );
});
afterAll(async () => {
  for (const s of Object.values(sockets)) await s.close();
  await lab?.stop();
});

/** Jobs "daily" (archives) and "snap" (snapshots below backups/snapshots): the gate is installed pinned to both. */
function storeConfig(sourceKeys: string, destinationKeys: string): BurrowConfig {
  const host = (h: LabHost, identityFile: string) => ({ hostname: h.address, port: h.port, user: h.user, identityFile, hostKey: h.hostKeyLine });
  const base = labConfig(lab, {}, { hosts: { source: host(lab.source, sourceKeys), destination: host(lab.destination, destinationKeys) } });
  const daily = base.jobs[0]!;
  const snap = { ...daily, name: 'snap', format: 'snapshot' as const, destination: { ...daily.destination, path: join(backups, 'snapshots') } };
  return { ...base, jobs: [daily, snap] };
}

/** ssh options that use store key `key` (through its agent socket) and nothing else. */
function sshOpts(key: string): string[] {
  return [
    '-F',
    '/dev/null',
    '-o',
    `IdentityAgent=${sockets[key]!.path}`,
    '-i',
    `${store.pathOf(key)}.pub`,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    `UserKnownHostsFile=${knownHosts}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'ConnectTimeout=10',
  ];
}

function ssh(key: string, h: LabHost, extra: string[], command: string[] = [], input?: string) {
  return run(['ssh', ...sshOpts(key), ...extra, '-p', String(h.port), `${h.user}@${h.address}`, ...command], {
    timeoutMs: 30_000,
    ...(input !== undefined ? { input } : {}),
  });
}

/** rsync from the laptop to the destination with store key `key`. */
function rsyncTo(key: string, args: string[]) {
  return run(['rsync', '-e', ['ssh', ...sshOpts(key), '-p', String(lab.destination.port)].join(' '), ...args], { timeoutMs: 30_000 });
}

const dst = () => `${lab.destination.user}@${lab.destination.address}`;

describe.skipIf(skip !== undefined)('a destination key restricted to rrsync -wo', () => {
  it('is installed with a forced command naming the backup path', () => {
    const lines = readFileSync(lab.destination.authorizedKeysPath, 'utf8').trim().split('\n');
    const xfer = lines.find((l) => l.includes('burrow:xfer'));
    expect(xfer).toMatch(new RegExp(`^restrict,command="/usr/bin/rrsync -wo -absolute ${backups}" ssh-ed25519 `));
    expect(lines.find((l) => l.includes('burrow:admin'))).toMatch(/^ssh-ed25519 /);
  });

  it('gets no shell, runs no command and gets no pty', async () => {
    const shell = await ssh('xfer', lab.destination, ['-T'], [], 'id\necho SHELL-RAN\n');
    expect(shell.stdout).not.toContain('uid=');
    expect(shell.stdout).not.toContain('SHELL-RAN');
    expect(shell.code).not.toBe(0);
    const command = await ssh('xfer', lab.destination, [], ['id']);
    expect(command.stdout).not.toContain('uid=');
    expect(command.stderr).toContain('SSH_ORIGINAL_COMMAND does not run rsync');
    const escape = await ssh('xfer', lab.destination, [], ['rsync', '--server', '-e.LsfxCIvu', '.', '/tmp;id']);
    expect(escape.stdout).not.toContain('uid=');
    const pty = await ssh('xfer', lab.destination, ['-tt'], ['id']);
    expect(pty.stdout).not.toContain('uid=');
    expect(pty.stderr).toMatch(/PTY allocation request failed/);
  });

  it('opens no forward of either direction', async () => {
    const local = await ssh('xfer', lab.destination, ['-W', `127.0.0.1:${lab.destination.port}`]);
    expect(local.code).not.toBe(0);
    expect(local.stderr).toMatch(/administratively prohibited|open failed/);
    const remote = await ssh('xfer', lab.destination, ['-N', '-o', 'ExitOnForwardFailure=yes', '-R', '127.0.0.1:0:127.0.0.1:22']);
    expect(remote.code).toBe(255);
    expect(remote.stderr).toMatch(/remote port forwarding failed/);
  });

  it("takes Burrow's transfer options (without -s) into the backup path, and writes nowhere else", async () => {
    const holding = join(lab.dir, 'laptop', 'holding');
    rmSync(holding, { recursive: true, force: true });
    mkdirSync(holding, { recursive: true });
    writeFileSync(join(holding, 'projects.20261126.tar.bz2'), randomBytes(5000));
    const config = storeConfig('burrow:src,xfer', 'burrow:admin');
    const ctx = {
      job: { ...config.jobs[0]!, holdingDir: holding },
      config,
      destinationHost: config.hosts.destination,
      record: { plan: { deleteAtDestination: [] } },
    } as unknown as RunContext;
    const burrowArgs = rsyncArgs({ ...ctx, tunnel: { port: 0 } } as unknown as RunContext, '/dev/null');
    const e = burrowArgs.indexOf('-e');
    const passed = [...burrowArgs.slice(1, e).filter((a) => a !== '-s'), '--', `${holding}/`, `${dst()}:${backups}/`];
    const ok = await rsyncTo('xfer', passed);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readdirSync(backups)).toContain('projects.20261126.tar.bz2');

    expect(burrowArgs).not.toContain('-s');
    const withS = await rsyncTo('xfer', [...burrowArgs.slice(1, e), '-s', '--', `${holding}/`, `${dst()}:${backups}/`]);
    expect(withS.code).not.toBe(0);
    expect(withS.stderr).toContain('option -s has been disabled on this server');

    const outside = join(lab.destination.home, 'tmp', 'escaped');
    rmSync(outside, { force: true });
    const up = await rsyncTo('xfer', [join(holding, 'projects.20261126.tar.bz2'), `${dst()}:../tmp/escaped`]);
    expect(up.code).not.toBe(0);
    expect(up.stderr).toMatch(/do not use \.\./);
    const absolute = await rsyncTo('xfer', [join(holding, 'projects.20261126.tar.bz2'), `${dst()}:${outside}`]);
    expect(absolute.code).not.toBe(0); // read as DIR + that path, whose directories do not exist
    expect(existsSync(outside)).toBe(false);

    // A symlink the key may plant below DIR does not lead out of it.
    const keysBefore = readFileSync(lab.destination.authorizedKeysPath, 'utf8');
    const planted = join(lab.dir, 'laptop', 'planted');
    rmSync(planted, { recursive: true, force: true });
    mkdirSync(planted);
    symlinkSync('../.ssh', join(planted, 'door'));
    writeFileSync(join(planted, 'authorized_keys'), 'ssh-ed25519 AAAA planted\n');
    expect((await rsyncTo('xfer', ['-l', join(planted, 'door'), `${dst()}:${backups}/`])).code).toBe(0);
    const through = await rsyncTo('xfer', [join(planted, 'authorized_keys'), `${dst()}:${backups}/door/authorized_keys`]);
    expect(through.code).not.toBe(0);
    expect(through.stderr).toMatch(/unsafe arg|escaped|outside/);
    expect(readFileSync(lab.destination.authorizedKeysPath, 'utf8')).toBe(keysBefore);
    rmSync(join(backups, 'door'), { force: true });

    const pull = await rsyncTo('xfer', [`${dst()}:${backups}/projects.20261126.tar.bz2`, join(lab.dir, 'laptop', 'pulled')]);
    expect(pull.code).not.toBe(0);
    expect(pull.stderr).toContain('reading from write-only server is not allowed');
    rmSync(join(backups, 'projects.20261126.tar.bz2'), { force: true });
  });
});

describe.skipIf(skip !== undefined)('a source key restricted to the reverse forward and agent forwarding', () => {
  it('is installed with restrict, loopback-only listen and agent forwarding', () => {
    const line = readFileSync(lab.source.authorizedKeysPath, 'utf8').trim();
    expect(line.startsWith(`${SOURCE_KEY_OPTIONS} ssh-ed25519 `)).toBe(true);
  });

  it('gets no pty and no forward except a listener on 127.0.0.1', async () => {
    const pty = await ssh('src', lab.source, ['-tt'], ['tty']);
    expect(pty.stderr).toMatch(/PTY allocation request failed/);
    expect(pty.stdout).not.toMatch(/\/dev\/pts/);
    const local = await ssh('src', lab.source, ['-W', `127.0.0.1:${lab.source.port}`]);
    expect(local.stderr).toMatch(/administratively prohibited|open failed/);
    const session = await SshSession.open({ config: storeConfig('burrow:src', 'burrow:admin'), hostName: 'source', agents: new StoreAgentProvider({ store }) });
    try {
      const listen = (addr: string) =>
        new Promise<number>((resolve, reject) => session.client.forwardIn(addr, 0, (err, port) => (err ? reject(err) : resolve(port))));
      await expect(listen('127.0.0.1')).resolves.toBeGreaterThan(0);
      await expect(listen('0.0.0.0')).rejects.toThrow();
      await expect(listen('localhost')).rejects.toThrow();
    } finally {
      session.close();
    }
  });

  it('gets no shell and runs no command of its own: the gate refuses them', async () => {
    const gate = join(lab.source.home, '.ssh', 'burrow-gate');
    expect(readFileSync(gate, 'utf8')).toBe(sourceGateFor(storeConfig('burrow:src', 'burrow:admin'), 'source'));
    expect(statSync(gate).mode & 0o777).toBe(0o600);
    const shell = await ssh('src', lab.source, ['-T'], [], 'id\necho SHELL-RAN\n');
    expect(shell.stdout).not.toContain('SHELL-RAN');
    expect(shell.stderr).toContain('burrow-gate: refused: no command: this key gets no shell');
    const command = await ssh('src', lab.source, [], ['id', '-un']);
    expect(command.code).toBe(126);
    expect(command.stdout).toBe('');
    expect(command.stderr).toContain("burrow-gate: refused: id is not one of Burrow's commands");
    const script = await ssh('src', lab.source, [], ['sh', '-c', "'id; echo SCRIPT-RAN'", 'burrow']);
    expect(script.stdout).not.toContain('SCRIPT-RAN');
    expect(script.stderr).toMatch(/refused: script [0-9a-f]{64} is not one of Burrow's/);
    // rsync's own remote shell is a command of its choosing; and it may not write on the source.
    const planted = join(lab.source.home, 'tmp', 'planted');
    const rsh = await ssh('src', lab.source, [], ['rsync', '-e', `'sh -c "touch ${planted}"'`, '--', '/etc/hostname', 'x@127.0.0.1:/x']);
    expect(rsh.stderr).toContain('not the tunnel ssh command');
    const write = await ssh('src', lab.source, [], ['rsync', '-e', `'${tunnelSshCommand(1, '/tmp/burrow.x/known_hosts')}'`, '--', '/etc/hostname', planted]);
    expect(write.stderr).toMatch(/burrow-gate: refused: (rsync writing on this host|\/tmp\/burrow.x is not a Burrow temporary directory)/);
    expect(existsSync(planted)).toBe(false);
  });

  it('carries a whole backup run', async () => {
    const data = join(lab.source.home, 'data');
    rmSync(data, { recursive: true, force: true });
    writeSampleTree(join(data, 'projects'), 3);
    await lab.source.own(data);
    // The destination key rsync gets through the forwarded agent is "admin" (unrestricted): see the next test for "xfer".
    const config = storeConfig('burrow:src,admin', 'burrow:admin');
    const record = await new BackupRun({ config, job: config.jobs[0]!, agents: new StoreAgentProvider({ store }), clock: new ManualClock(day(0)) }).start();
    expect(record.error).toBeUndefined();
    expect(record.status).toBe('succeeded');
    expect(readdirSync(backups)).toContain(`projects.${'20261126'}.tar.bz2`);
  });

  it('passes every hop of burrow check with the restricted keys (rrsync lets "true" through)', async () => {
    const config = storeConfig('burrow:src,xfer', 'burrow:admin');
    const hops = await checkJob({ config, job: config.jobs[0]!, agents: new StoreAgentProvider({ store }) });
    expect(hops.filter((h) => h.status !== 'pass').map((h) => `${h.hop}: ${h.status} ${h.cause ?? ''}`)).toEqual([]);
  });

  it('carries a whole backup run whose transfer key is the rrsync one', async () => {
    // The transfer passes no -s (rrsync refuses it); rsync 3.2.4+ escapes remote arguments itself.
    const config = storeConfig('burrow:src,xfer', 'burrow:admin');
    const record = await new BackupRun({ config, job: config.jobs[0]!, agents: new StoreAgentProvider({ store }), clock: new ManualClock(day(1)) }).start();
    expect(record.error).toBeUndefined();
    expect(record.status).toBe('succeeded');
    expect(readdirSync(backups)).toContain('projects.20261127.tar.bz2');
  });

  // Before the snapshot test: the archive job mirrors its holding dir over the whole backups dir.
  it("removes what a cut-off run left on the source through the gate, and nothing that is not Burrow's", async () => {
    const data = join(lab.source.home, 'data');
    rmSync(data, { recursive: true, force: true });
    writeSampleTree(join(data, 'projects'), 4);
    await lab.source.own(data);
    const tmp = join(lab.source.home, 'tmp'); // the lab's sshd sets TMPDIR there
    const holding = join(lab.source.home, 'holding');
    const cutOff = join(tmp, 'burrow.CutOff01');
    const othersFresh = join(tmp, 'burrow.Others02');
    const notBurrows = join(tmp, 'burrow.');
    mkdirSync(cutOff, { recursive: true });
    writeFileSync(join(cutOff, 'run-of'), 'daily\n');
    writeFileSync(join(cutOff, 'known_hosts'), 'burrow-destination ssh-ed25519 AAAA\n');
    mkdirSync(othersFresh);
    writeFileSync(join(othersFresh, 'run-of'), 'snap\n'); // another job's, from today: its own next run removes it
    mkdirSync(notBurrows);
    // No process has this PID (pid_max is at most 4194304): the pack that wrote it is gone.
    const partial = join(holding, '.projects.20261120.tar.bz2.partial.4194305');
    const notArchive = join(holding, '.notes.txt.partial.4194305');
    mkdirSync(holding, { recursive: true });
    for (const f of [partial, notArchive]) writeFileSync(f, 'half\n');
    await lab.source.own(tmp);
    await lab.source.own(holding);
    const config = storeConfig('burrow:src,admin', 'burrow:admin');
    const record = await new BackupRun({ config, job: config.jobs[0]!, agents: new StoreAgentProvider({ store }), clock: new ManualClock(day(2)) }).start();
    expect(record.error, `${record.error?.message}\n${record.log?.map((l) => l.message).join('\n')}`).toBeUndefined();
    // A script the gate refused would only be a warning of the clean-up: there is none.
    expect(record.log?.filter((l) => l.level === 'warn' && l.message.startsWith('clean-up:'))).toEqual([]);
    expect(record.cleanedUp).toEqual(expect.arrayContaining([`source:${cutOff}`, `source:${partial}`]));
    for (const gone of [cutOff, partial]) expect(existsSync(gone), gone).toBe(false);
    for (const kept of [othersFresh, notBurrows, notArchive]) expect(existsSync(kept), kept).toBe(true);
    for (const d of [othersFresh, notBurrows, notArchive]) rmSync(d, { recursive: true, force: true });
  });

  it('carries a snapshot run and a dry run through the gate', async () => {
    const config = storeConfig('burrow:src,admin', 'burrow:admin');
    const snap = await new BackupRun({ config, job: 'snap', agents: new StoreAgentProvider({ store }), clock: new ManualClock(day(2)) }).start();
    expect(snap.error).toBeUndefined();
    expect(snap.status).toBe('succeeded');
    expect(readdirSync(join(backups, 'snapshots', 'snap'))).toContain('2026-11-28');
    const dry = await new BackupRun({
      config,
      job: config.jobs[0]!,
      agents: new StoreAgentProvider({ store }),
      clock: new ManualClock(day(3)),
      dryRun: true,
    }).start();
    expect(dry.error).toBeUndefined();
    expect(dry.status).toBe('succeeded');
  });
});
