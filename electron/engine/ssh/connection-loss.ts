/**
 * Why a connection that was up went away, when the laptop is the reason: its
 * network changed under it (a new Wi-Fi, a hotspot, a cable pulled). Asked
 * only after a run lost a connection: the laptop's address of that
 * connection is gone from its interfaces, or the laptop has no route to the
 * host any more, or its route now leaves from another address (a new
 * network whose default route leads elsewhere). A host that refuses (sshd restarting)
 * or stays silent (black-holed) is not the laptop's network, and the lost
 * connection keeps its own cause.
 */
import { createSocket } from 'node:dgram';
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

/**
 * The error code a TCP connect to host:port ends with, 'connected', or
 * 'silent' when nothing came back within timeoutMs. With `banner`, a
 * connection counts only once the peer says "SSH-" ('ssh'; 'not-ssh' for
 * anything else): a network in between that accepts every connect (a
 * hotspot's portal, a proxy on the default route) is not the host answering.
 */
export function connectOutcome(hostname: string, port: number, timeoutMs: number, opts: { banner?: boolean } = {}): Promise<string> {
  return new Promise((resolve) => {
    const sock = connect({ host: hostname, port });
    const done = (what: string) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(what);
    };
    const timer = setTimeout(() => done('silent'), timeoutMs);
    let said = '';
    sock.once('connect', () => {
      if (!opts.banner) done('connected');
    });
    sock.on('data', (b: Buffer) => {
      said += b.toString('latin1');
      if (said.length >= 4) done(said.startsWith('SSH-') ? 'ssh' : 'not-ssh');
    });
    sock.once('end', () => done(said.startsWith('SSH-') ? 'ssh' : 'closed'));
    sock.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? 'error'));
  });
}

/**
 * The laptop's own address its route to hostname leaves from, or the error
 * code of the route lookup (ENETUNREACH with no route). A UDP socket's
 * connect looks the route up and sends nothing.
 */
export function routeFrom(hostname: string, port: number): Promise<{ address: string } | { code: string }> {
  return new Promise((resolve) => {
    const sock = createSocket(hostname.includes(':') ? 'udp6' : 'udp4');
    const done = (r: { address: string } | { code: string }) => {
      sock.close();
      resolve(r);
    };
    sock.once('error', (err: NodeJS.ErrnoException) => done({ code: err.code ?? 'error' }));
    try {
      sock.connect(port, hostname, () => done({ address: sock.address().address }));
    } catch (err) {
      done({ code: (err as NodeJS.ErrnoException).code ?? 'error' });
    }
  });
}

/**
 * How the laptop's network changed under `session`, in words ("its address
 * 10.1.2.3 is gone", "it has no route to source (10.1.2.4) any more", "its
 * way to source (10.1.2.4) now leaves from 192.0.2.2, not 10.1.2.3"), or
 * undefined when it did not (as far as the laptop can tell).
 */
export async function networkChange(session: SshSession): Promise<string | undefined> {
  const { name, hostname, port } = session.endpoint;
  // Behind a jump host the laptop only knows its way to the jump host; that session says more.
  if (session.localAddress === undefined) return undefined;
  // An IPv4 address as a dual-stack socket names it (::ffff:10.0.0.9) is the interface's 10.0.0.9.
  const was = session.localAddress.replace(/^::ffff:(?=\d+\.)/, '');
  if (!laptopAddresses().has(was)) return `its address ${was} is gone`;
  const route = await routeFrom(hostname, port);
  if ('code' in route) return NO_ROUTE.has(route.code) ? `it has no route to ${name} (${hostname}) any more` : undefined;
  return route.address === was ? undefined : `its way to ${name} (${hostname}) now leaves from ${route.address}, not ${was}`;
}
