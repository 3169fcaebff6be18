/**
 * Why a connection that was up went away, when the laptop is the reason: its
 * network changed under it (a new Wi-Fi, a hotspot, a cable pulled). Asked
 * only after a run lost a connection: the laptop's address of that
 * connection is gone from its interfaces, or a fresh TCP connect to the host
 * fails at once for want of a route. A host that refuses (sshd restarting)
 * or stays silent (black-holed) is not the laptop's network, and the lost
 * connection keeps its own cause.
 */
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { SshSession } from './ssh-session';

/** Errors a connect gets at once when the laptop has no way to the host. */
const NO_ROUTE = new Set(['ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN', 'EADDRNOTAVAIL']);

function laptopAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) out.add(a.address);
  return out;
}

/** The error code a TCP connect to host:port ends with, 'connected', or 'silent' when nothing came back within timeoutMs. */
export function connectOutcome(hostname: string, port: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const sock = connect({ host: hostname, port });
    const done = (what: string) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(what);
    };
    const timer = setTimeout(() => done('silent'), timeoutMs);
    sock.once('connect', () => done('connected'));
    sock.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? 'error'));
  });
}

/**
 * How the laptop's network changed under `session`, in words ("its address
 * 10.1.2.3 is gone", "it has no route to source (10.1.2.4)"), or undefined
 * when it did not (as far as the laptop can tell).
 */
export async function networkChange(session: SshSession, timeoutMs = 3000): Promise<string | undefined> {
  const { name, hostname, port } = session.endpoint;
  if (session.localAddress && !laptopAddresses().has(session.localAddress)) return `its address ${session.localAddress} is gone`;
  // Behind a jump host the laptop only knows its way to the jump host; that session says more.
  if (session.localAddress === undefined) return undefined;
  const outcome = await connectOutcome(hostname, port, timeoutMs);
  return NO_ROUTE.has(outcome) ? `it has no route to ${name} (${hostname}) any more` : undefined;
}
