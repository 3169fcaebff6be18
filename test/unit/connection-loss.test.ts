/**
 * Why a lost connection was the laptop's network: its address gone, or its
 * route to the host now leaving from another address. Real sockets on this
 * machine (a UDP connect looks the route up and sends nothing); the lab's
 * roaming scenario (test/reliability/pivot.test.ts) takes routes away for real.
 */
import { createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { connectOutcome, networkChange, routeFrom } from '../../electron/engine/ssh/connection-loss';
import type { SshSession } from '../../electron/engine/ssh/ssh-session';

const session = (hostname: string, localAddress: string | undefined) =>
  ({ endpoint: { name: 'source', hostname, port: 22 }, localAddress }) as unknown as SshSession;

/** An IPv4 address of this machine other than loopback, if it has one. */
const other = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

describe('networkChange', () => {
  it('says nothing when the route to the host still leaves from the connection’s address', async () => {
    expect(await routeFrom('127.0.0.1', 22)).toEqual({ address: '127.0.0.1' });
    expect(await networkChange(session('127.0.0.1', '127.0.0.1'))).toBeUndefined();
    expect(await networkChange(session('127.0.0.1', '::ffff:127.0.0.1'))).toBeUndefined();
  });

  it('says the address is gone when the laptop no longer has it', async () => {
    expect(await networkChange(session('127.0.0.1', '198.51.100.77'))).toBe('its address 198.51.100.77 is gone');
  });

  it.skipIf(!other)('says the way changed when the route now leaves from another of its addresses', async () => {
    expect(await networkChange(session('127.0.0.1', other!))).toBe(`its way to source (127.0.0.1) now leaves from 127.0.0.1, not ${other}`);
  });
  if (!other) console.warn('[connection-loss] the changed-route case is skipped: this machine has no IPv4 address besides loopback');

  it('leaves a connection behind a jump host to the jump host’s session', async () => {
    expect(await networkChange(session('127.0.0.1', undefined))).toBeUndefined();
  });
});

describe('connectOutcome', () => {
  it('with banner, counts a listener only once it greets as sshd', async () => {
    const greet = (line: string) =>
      new Promise<{ port: number; close: () => void }>((resolve) => {
        const server = createServer((sock) => sock.on('error', () => undefined).end(line)).listen(0, '127.0.0.1', () =>
          resolve({ port: (server.address() as { port: number }).port, close: () => server.close() }),
        );
      });
    const sshd = await greet('SSH-2.0-OpenSSH_9.2\r\n');
    const portal = await greet('HTTP/1.1 302 Found\r\n\r\n');
    try {
      expect(await connectOutcome('127.0.0.1', sshd.port, 2000, { banner: true })).toBe('ssh');
      expect(await connectOutcome('127.0.0.1', portal.port, 2000, { banner: true })).toBe('not-ssh');
      expect(await connectOutcome('127.0.0.1', portal.port, 2000)).toBe('connected');
    } finally {
      sshd.close();
      portal.close();
    }
  });
});
