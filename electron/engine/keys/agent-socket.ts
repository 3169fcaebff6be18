/**
 * Serves a KeyAgent on a Unix socket, so that plain OpenSSH tools (`ssh`,
 * `rsync -e ssh`) can use store keys through SSH_AUTH_SOCK / IdentityAgent
 * without a decrypted key file ever existing. The socket lives in a fresh
 * 0700 directory and is removed on close.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyAgent } from '../ssh/key-agent';

/** A served agent socket; close() stops it and removes its directory. */
export interface AgentSocket {
  /** The socket path, for SSH_AUTH_SOCK or `-o IdentityAgent=`. */
  path: string;
  close(): Promise<void>;
}

/** Starts serving `agent`; every connection gets its own agent protocol stream. */
export async function serveAgent(agent: KeyAgent, parent: string = tmpdir()): Promise<AgentSocket> {
  const dir = await mkdtemp(join(parent, 'burrow-agent-'));
  const path = join(dir, 'agent.sock');
  const open = new Set<Socket>();
  const server: Server = createServer((conn) => {
    open.add(conn);
    conn.on('close', () => open.delete(conn));
    agent.getStream((err, stream) => {
      if (err || !stream) return conn.destroy();
      conn.pipe(stream).pipe(conn);
      conn.on('error', () => stream.destroy());
      stream.on('error', () => conn.destroy());
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  return {
    path,
    close: async () => {
      for (const conn of open) conn.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
