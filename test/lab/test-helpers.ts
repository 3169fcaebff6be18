/**
 * Helpers for tests that drive lab hosts with real clients.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../../electron/lab/lab';
import { knownHostsEntry, writeKnownHosts } from '../../electron/lab/ssh-client';
import type { LabHost } from '../../electron/lab/types';

/** (address, port, host key line) to pin in a known_hosts file. */
export type Pin = [address: string, port: number, keyLine: string];

/** The pin of a lab host's current key as the laptop sees it. */
export function pinOf(host: LabHost): Pin {
  return [host.address, host.port, host.hostKeyLine];
}

let knownHostsSeq = 0;

/** Write a new known_hosts file in `dir` pinning `pins`; returns its path. */
export async function knownHostsFile(dir: string, ...pins: Pin[]): Promise<string> {
  const path = join(dir, `known_hosts.${process.pid}.${++knownHostsSeq}`);
  await writeKnownHosts(
    path,
    pins.map(([a, p, k]) => knownHostsEntry(a, p, k)),
  );
  return path;
}

/** Exit code of a spawned process, as a promise (null when killed by a signal). */
export function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

/** Start a long-running ssh client from an argv built by `sshArgv` (output ignored). */
export function spawnSsh(argv: string[]): ChildProcess {
  return spawn(argv[0]!, argv.slice(1), { stdio: 'ignore' });
}

/** A TCP port nobody listens on inside `host`. */
export async function unusedPort(host: LabHost): Promise<number> {
  const used = new Set(await host.listeningPorts());
  for (;;) {
    const port = host.netns ? 20_000 + Math.floor(Math.random() * 30_000) : await freePort();
    if (!used.has(port)) return port;
  }
}

/** A TCP server on the laptop that sends `greeting` to every connection and closes it. */
export async function greeter(host: string, greeting: string): Promise<{ server: Server; port: number }> {
  const server = createServer((c) => {
    c.on('error', () => undefined); // connect-only probes reset the connection
    c.end(greeting);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const addr = server.address();
  return { server, port: typeof addr === 'object' && addr ? addr.port : 0 };
}

/** Node script for `host.exec([process.execPath, '-e', READ_SCRIPT, port])`: print what 127.0.0.1:port sends. */
export const READ_SCRIPT = `
const s = require('node:net').connect({ host: '127.0.0.1', port: Number(process.argv[1]) });
let data = '';
s.on('data', (d) => (data += d));
s.on('end', () => { process.stdout.write(data); process.exit(0); });
s.on('error', (e) => { process.stderr.write(e.message); process.exit(1); });
`;
