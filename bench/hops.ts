/**
 * The hops the bench drives on the lab: commands run on the source and the
 * destination as their users, the ssh command the source uses to reach the
 * destination through a tunnel, and OpenSSH's `ssh -R` relay run from the
 * laptop (Burrow's is in bench/burrow-relay.ts).
 *
 * The source logs in to the destination with a key made for the bench only
 * (inside the lab dir, removed with the lab): Burrow itself forwards the
 * laptop's agent instead, which changes nothing on the wire.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecResult, Lab, LabHost } from '../electron/lab/lab';
import { run } from '../electron/lab/run';
import { knownHostsEntry, strictOptions } from '../electron/lab/ssh-client';
import type { GcCounts } from './relay-serve';

/** The name the destination goes by in the source's bench known_hosts. */
const ALIAS = 'bench-destination';

/** Runs bash `script` (with pipefail) and positional `args` as the host's user; throws unless it exits 0. */
export async function sh(host: LabHost, script: string, args: string[] = [], timeoutMs = 120_000): Promise<ExecResult> {
  const r = await host.execAsUser(['bash', '-o', 'pipefail', '-c', script, 'bash', ...args], { timeoutMs });
  if (r.code !== 0)
    throw new Error(`on ${host.role}: \`${script.trim().split('\n')[0]}\` failed (${r.signal ?? `exit ${r.code}`}): ${r.stderr.trim().slice(-500)}`);
  return r;
}

/** What the source needs to log in to the destination through a tunnel. */
export interface SourceLogin {
  /** `ssh ...` argv up to (not including) the user@host. */
  argv(port: number, extra?: string[]): string[];
  /** The same as one string, for rsync -e (no argument holds a space). */
  command(port: number, extra?: string[]): string;
  /** `user@127.0.0.1` of the destination, as seen through the tunnel. */
  target: string;
}

/** Creates the bench key on the source, authorises it on the destination, pins the destination's key. */
export async function prepareSourceLogin(lab: Lab): Promise<SourceLogin> {
  const key = join(lab.source.home, '.ssh', 'bench_ed25519');
  const knownHosts = join(lab.source.home, '.ssh', 'bench_known_hosts');
  const gen = await run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'burrow-bench', '-f', key]);
  if (gen.code !== 0) throw new Error(`ssh-keygen: ${gen.stderr}`);
  writeFileSync(knownHosts, `${ALIAS} ${lab.destination.hostKeyLine}\n`, { mode: 0o600 });
  await lab.source.own(join(lab.source.home, '.ssh'));
  const pub = readFileSync(`${key}.pub`, 'utf8').trim();
  appendFileSync(lab.destination.authorizedKeysPath, `${pub}\n`);
  const opts = [
    'IdentitiesOnly=yes',
    'BatchMode=yes',
    `HostKeyAlias=${ALIAS}`,
    `UserKnownHostsFile=${knownHosts}`,
    'GlobalKnownHostsFile=/dev/null',
    'StrictHostKeyChecking=yes',
    'UpdateHostKeys=no',
    'ControlMaster=no',
    'ControlPath=none',
    'ConnectTimeout=20',
    'Compression=no',
  ];
  const argv = (port: number, extra: string[] = []) => ['ssh', '-F', 'none', '-i', key, ...opts.flatMap((o) => ['-o', o]), ...extra, '-p', String(port)];
  return {
    argv,
    command: (port, extra = []) => argv(port, extra).join(' '),
    target: `${lab.destination.user}@127.0.0.1`,
  };
}

/** A reverse tunnel on the source whose far end is the destination's sshd. */
export interface Relay {
  /** Port the source's sshd listens on (127.0.0.1 on the source). */
  port: number;
  /** Cipher of the laptop<->source connection that carries the relayed bytes. */
  cipher: string;
  /** PID of the relaying process. */
  pid: number;
  /** V8's garbage collections in the relaying process so far (Burrow's relay only). */
  gcCounts?(): Promise<GcCounts>;
  close(): Promise<void>;
}

/**
 * OpenSSH's relay: `ssh -N -R 0:DEST:PORT source` from the laptop with the
 * lab's client key and a pinned known_hosts; the port the source's sshd
 * picked is read from ssh's "Allocated port N" line.
 */
export async function openOpensshRelay(lab: Lab, cipher?: string): Promise<Relay> {
  const knownHosts = join(lab.dir, 'laptop', 'bench_known_hosts');
  writeFileSync(knownHosts, `${knownHostsEntry(lab.source.address, lab.source.port, lab.source.hostKeyLine)}\n`, { mode: 0o600 });
  const { source: src, destination: dst } = lab;
  const argv = [
    '-N',
    '-v',
    '-o',
    'ExitOnForwardFailure=yes',
    '-R',
    `0:${dst.address}:${dst.port}`,
    ...(cipher ? ['-c', cipher] : []),
    ...strictOptions(lab.clientKey.privateKeyPath, knownHosts),
    '-p',
    String(src.port),
    `${src.user}@${src.address}`,
  ];
  const child = spawn('ssh', argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let log = '';
  let seenCipher = cipher ?? 'unknown';
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ssh -R: no "Allocated port" within 15 s:\n${log.slice(-2000)}`)), 15_000);
    // Keep draining stderr for the whole life of ssh: -v logs every forwarded connection.
    child.stderr.on('data', (b: Buffer) => {
      log = (log + b.toString('utf8')).slice(-20_000);
      const c = /kex: client->server cipher: (\S+)/.exec(log);
      if (c) seenCipher = c[1]!;
      const m = /Allocated port (\d+) for remote forward/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`ssh -R exited ${code} before the forward was up:\n${log.slice(-2000)}`));
    });
  }).catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  return { port, cipher: seenCipher, pid: child.pid!, close: stop };
}
