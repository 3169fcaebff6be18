/**
 * ssh-keygen wrappers and host key fingerprints.
 */
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { runOk } from './run';

/** Generate an ed25519 key pair (no passphrase) at `path` / `path.pub`, replacing any old one. */
export async function generateKey(path: string, comment = ''): Promise<void> {
  await rm(path, { force: true });
  await rm(`${path}.pub`, { force: true });
  await runOk(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path]);
}

/** The `type base64` part of an OpenSSH public key file (comment dropped). */
export async function readPublicKeyLine(pubPath: string): Promise<string> {
  const [type, blob] = (await readFile(pubPath, 'utf8')).trim().split(/\s+/);
  if (!type || !blob) throw new Error(`${pubPath} is not an OpenSSH public key`);
  return `${type} ${blob}`;
}

/** `SHA256:<unpadded base64>` of a public key line, as `ssh-keygen -lf` prints it. */
export function fingerprintOf(publicKeyLine: string): string {
  const blob = publicKeyLine.trim().split(/\s+/)[1];
  if (!blob) throw new Error(`not an OpenSSH public key line: ${publicKeyLine}`);
  const digest = createHash('sha256').update(Buffer.from(blob, 'base64')).digest('base64');
  return `SHA256:${digest.replace(/=+$/, '')}`;
}
