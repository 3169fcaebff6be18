import { BurrowError } from '../errors';

/** Where a connection was going, for messages. */
export interface Endpoint {
  name: string;
  user: string;
  hostname: string;
  port: number;
}

export function describe(ep: Endpoint): string {
  return `${ep.name} (${ep.user}@${ep.hostname}:${ep.port})`;
}

/**
 * ssh2 reports failures with `err.level` and Node socket codes; this turns
 * them into Burrow's kinds with a message that names the host.
 */
export function translateSshError(err: unknown, ep: Endpoint, readyTimeoutMs: number): BurrowError {
  if (err instanceof BurrowError) return err;
  const e = err as Error & { level?: string; code?: string };
  const where = describe(ep);
  const msg = e?.message ?? String(err);
  switch (e?.level) {
    case 'client-authentication':
      return new BurrowError('auth', `authentication to ${where} failed: no offered key was accepted`, { cause: err });
    case 'client-timeout':
      return /keepalive/i.test(msg)
        ? new BurrowError('timeout', `${where} stopped answering (keepalive timeout)`, { cause: err })
        : new BurrowError('timeout', `no SSH handshake from ${where} within ${readyTimeoutMs} ms`, { cause: err });
    case 'client-dns':
      return new BurrowError('unreachable', `cannot resolve ${ep.hostname} for ${ep.name}`, { cause: err });
    default:
      break;
  }
  switch (e?.code) {
    case 'ECONNREFUSED':
      return new BurrowError('unreachable', `cannot reach ${where}: connection refused (is sshd running?)`, { cause: err });
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
      return new BurrowError('unreachable', `cannot reach ${where}: no route to host`, { cause: err });
    case 'ETIMEDOUT':
      return new BurrowError('timeout', `cannot reach ${where}: connection timed out`, { cause: err });
    case 'ECONNRESET':
    case 'EPIPE':
      return new BurrowError('unreachable', `connection to ${where} was reset`, { cause: err });
    default:
      return new BurrowError('unreachable', `SSH connection to ${where} failed: ${msg}`, { cause: err });
  }
}
