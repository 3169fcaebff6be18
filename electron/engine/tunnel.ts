/**
 * The reverse tunnel: the source's sshd listens on its loopback, and every
 * connection arriving there is relayed by the laptop to the destination's
 * sshd. Unlike `ssh -R` without ExitOnForwardFailure, a refused bind is an
 * error, never a warning, and the bound port is always checked.
 */
import { EventEmitter } from 'node:events';
import { connect as netConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TunnelState } from '../../shared/run-types';
import { BurrowError } from './errors';
import type { SshSession } from './ssh/ssh-session';

/** Opens one connection to the destination's sshd, however it is reached. */
export type RelayTarget = () => Promise<Duplex>;

/** The destination reached directly over TCP from the laptop. */
export function directTarget(hostname: string, port: number, timeoutMs = 15_000): RelayTarget {
  return () =>
    new Promise((resolve, reject) => {
      const sock: Socket = netConnect({ host: hostname, port, noDelay: true });
      const timer = setTimeout(() => sock.destroy(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      sock.once('connect', () => {
        clearTimeout(timer);
        resolve(sock);
      });
      sock.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
}

/** The destination reached through a jump host's SSH session. */
export function jumpTarget(jump: SshSession, hostname: string, port: number): RelayTarget {
  return () => jump.forwardOut(hostname, port);
}

interface TunnelEvents {
  state: [TunnelState];
  /** A relayed connection opened or closed; the argument is how many are open. */
  connections: [number];
  error: [Error];
}

export interface TunnelStats {
  connections: number;
  bytesToDestination: number;
  bytesToSource: number;
}

export class ReverseTunnel extends EventEmitter<TunnelEvents> {
  state: TunnelState = 'down';
  port = 0;
  readonly stats: TunnelStats = { connections: 0, bytesToDestination: 0, bytesToSource: 0 };
  private readonly open = new Set<Duplex>();
  private readonly onTcpConnection: (info: { destPort: number }, accept: () => Duplex, reject: () => void) => void;

  constructor(
    private readonly source: SshSession,
    private readonly requestedPort: number,
    private readonly target: RelayTarget,
    private readonly destinationName: string,
  ) {
    super();
    this.onTcpConnection = (info, accept, reject) => {
      if (this.state !== 'up' || info.destPort !== this.port) return reject();
      this.relay(accept);
    };
  }

  private setState(s: TunnelState): void {
    if (this.state === s) return;
    this.state = s;
    this.emit('state', s);
  }

  /** Asks the source's sshd to listen; resolves with the bound port. */
  async start(): Promise<number> {
    this.setState('requesting');
    this.source.client.on('tcp connection', this.onTcpConnection);
    try {
      this.port = await this.forwardIn(this.requestedPort);
    } catch (err) {
      this.source.client.off('tcp connection', this.onTcpConnection);
      this.setState('failed');
      throw await this.explainRefusal(err as Error);
    }
    if (!Number.isInteger(this.port) || this.port <= 0) {
      this.setState('failed');
      throw new BurrowError('forward-refused', `${this.source.endpoint.name} reported port ${this.port} for the reverse forward`);
    }
    this.setState('up');
    return this.port;
  }

  private forwardIn(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      try {
        this.source.client.forwardIn('127.0.0.1', port, (err, bound) => (err ? reject(err) : resolve(bound)));
      } catch (err) {
        reject(err);
      }
    });
  }

  /**
   * sshd answers a refused bind with a bare "request failed". Tell apart a
   * port already in use from forwarding switched off by asking for any port.
   */
  private async explainRefusal(err: Error): Promise<BurrowError> {
    const src = this.source.endpoint.name;
    if (this.requestedPort !== 0) {
      const probe = await this.forwardIn(0).catch(() => undefined);
      if (probe !== undefined) {
        await new Promise<void>((r) => this.source.client.unforwardIn('127.0.0.1', probe, () => r()));
        return new BurrowError(
          'port-in-use',
          `port ${this.requestedPort} in use on ${src}: its sshd refused to listen there (set tunnelPort to 0 to let it pick a free port)`,
          { cause: err },
        );
      }
    }
    return new BurrowError(
      'forward-refused',
      `${src} refused the reverse port forward: check "AllowTcpForwarding" (and "PermitListen") in its sshd_config, ` +
        `and that its authorized_keys entry has no "no-port-forwarding" or "restrict" without "port-forwarding"`,
      { cause: err },
    );
  }

  private relay(accept: () => Duplex): void {
    const inbound = accept();
    this.open.add(inbound);
    this.stats.connections++;
    this.emit('connections', this.open.size);
    inbound.pause();
    this.target().then(
      (outbound) => {
        if (this.state !== 'up') {
          outbound.destroy();
          inbound.destroy();
          return;
        }
        this.open.add(outbound);
        this.forward(inbound, outbound, 'bytesToDestination');
        this.forward(outbound, inbound, 'bytesToSource');
        const done = () => {
          const had = this.open.has(inbound);
          this.open.delete(inbound);
          this.open.delete(outbound);
          inbound.destroy();
          outbound.destroy();
          if (had) this.emit('connections', this.open.size);
        };
        // `on`, not `once`, for errors: a stream may report more than one while it is torn down.
        inbound.once('close', done).on('error', done);
        outbound.once('close', done).on('error', done);
        inbound.resume();
      },
      (err: Error) => {
        this.open.delete(inbound);
        inbound.destroy();
        this.emit('connections', this.open.size);
        this.emit('error', new BurrowError('unreachable', `the tunnel could not reach ${this.destinationName}: ${err.message}`));
      },
    );
  }

  /**
   * `from.pipe(to)` with the byte count folded in: one 'data' listener per
   * direction instead of pipe()'s plus a second one for counting. Pauses
   * `from` while `to` is full and ends `to` when `from` ends, as pipe() does.
   */
  private forward(from: Duplex, to: Duplex, counter: 'bytesToDestination' | 'bytesToSource'): void {
    const stats = this.stats;
    from.on('data', (b: Buffer) => {
      stats[counter] += b.length;
      if (to.writable && !to.write(b)) from.pause();
    });
    to.on('drain', () => from.resume());
    from.once('end', () => to.end());
  }

  /** Stops listening on the source and drops every relayed connection. */
  async close(): Promise<void> {
    const wasUp = this.state === 'up';
    this.setState('closed');
    this.source.client.off('tcp connection', this.onTcpConnection);
    for (const s of this.open) s.destroy();
    this.open.clear();
    if (wasUp && this.source.state === 'up') {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 5000);
        try {
          this.source.client.unforwardIn('127.0.0.1', this.port, () => {
            clearTimeout(timer);
            resolve();
          });
        } catch {
          clearTimeout(timer);
          resolve();
        }
      });
    }
  }
}
