/**
 * Host keys: what a server presents, what the config pins, and whether they
 * match. A pin is either the whole public key or its SHA256 fingerprint.
 */
import { createHash } from 'node:crypto';
import { SHA256_FINGERPRINT } from '../../../shared/config-schema';

export interface PresentedKey {
  /** Key type from the blob, e.g. `ssh-ed25519`. */
  type: string;
  /** The key blob, base64, as in a known_hosts line. */
  base64: string;
  /** `SHA256:...` as ssh-keygen prints it. */
  fingerprint: string;
}

/** Reads the SSH wire-format key blob ssh2 hands to hostVerifier. */
export function describeKeyBlob(blob: Buffer): PresentedKey {
  const len = blob.length >= 4 ? blob.readUInt32BE(0) : 0;
  const type = blob.subarray(4, 4 + len).toString('latin1');
  return { type, base64: blob.toString('base64'), fingerprint: fingerprintOf(blob) };
}

export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The fingerprint of a pin, whichever form it has. */
export function pinFingerprint(pin: string): string {
  const trimmed = pin.trim();
  if (SHA256_FINGERPRINT.test(trimmed)) return trimmed;
  const b64 = trimmed.split(/\s+/)[1] ?? '';
  return fingerprintOf(Buffer.from(b64, 'base64'));
}

export function pinMatches(pin: string, key: PresentedKey): boolean {
  return pinFingerprint(pin) === key.fingerprint;
}

/** `type base64`, the form Burrow writes as a pin and into known_hosts. */
export function keyLine(key: PresentedKey): string {
  return `${key.type} ${key.base64}`;
}

/** The full key line when the pin is one, else undefined (a fingerprint-only pin). */
export function pinKeyLine(pin: string): string | undefined {
  const parts = pin.trim().split(/\s+/);
  return parts.length >= 2 ? `${parts[0]} ${parts[1]}` : undefined;
}
