/**
 * Helpers to drive the OpenSSH client (`ssh`) against lab hosts with strict
 * host key pinning, for tests.
 */
import { writeFile } from 'node:fs/promises';
import { run, type ExecResult } from './run';
import type { LabHost } from './types';

/**
 * known_hosts line pinning `keyLine` for address:port. ssh looks port-22 hosts
 * up by their bare name, so `[addr]:22` would never match: port 22 gets the
 * bare address, any other port the `[addr]:port` form.
 */
export function knownHostsEntry(address: string, port: number, keyLine: string): string {
  return `${port === 22 ? address : `[${address}]:${port}`} ${keyLine}`;
}

/** Write a known_hosts file with the given lines. */
export async function writeKnownHosts(path: string, lines: string[]): Promise<void> {
  await writeFile(path, `${lines.join('\n')}\n`, { mode: 0o600 });
}

/** Where and as whom to connect. */
export interface SshEndpoint {
  address: string;
  port: number;
  user: string;
}

/** Options shared by the target and the jump connection. */
export interface SshClientOptions {
  privateKeyPath: string;
  knownHostsPath: string;
  /** Extra `-o`/flags placed before the destination. */
  extraArgs?: string[];
  /** Reach the target through this jump host (ProxyCommand `ssh -W`, same key and pins). */
  jump?: SshEndpoint;
}

/** Options that make ssh non-interactive, ignore user/system config and pin host keys strictly. */
export function strictOptions(privateKeyPath: string, knownHostsPath: string): string[] {
  return [
    '-F',
    '/dev/null',
    '-i',
    privateKeyPath,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    `UserKnownHostsFile=${knownHostsPath}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'ConnectTimeout=10',
  ];
}

/** argv (starting with `ssh`) running `command` on `target`. */
export function sshArgv(target: SshEndpoint, command: string[], opts: SshClientOptions): string[] {
  const base = strictOptions(opts.privateKeyPath, opts.knownHostsPath);
  const jump = opts.jump ? ['-o', `ProxyCommand=ssh ${base.join(' ')} -p ${opts.jump.port} -W %h:%p ${opts.jump.user}@${opts.jump.address}`] : [];
  return ['ssh', ...base, ...jump, ...(opts.extraArgs ?? []), '-p', String(target.port), `${target.user}@${target.address}`, ...command];
}

/** Run `command` on `target` with the ssh client binary. */
export function runSsh(target: SshEndpoint, command: string[], opts: SshClientOptions & { timeoutMs?: number; input?: string }): Promise<ExecResult> {
  return run(sshArgv(target, command, opts), { timeoutMs: opts.timeoutMs ?? 30_000, input: opts.input });
}

/** The endpoint of a lab host as the laptop sees it. */
export function endpointOf(host: LabHost): SshEndpoint {
  return { address: host.address, port: host.port, user: host.user };
}
