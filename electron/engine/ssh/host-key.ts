/**
 * Host keys: what a server presents, what the config pins, and whether they
 * match. A pin is either the whole public key or its SHA256 fingerprint.
 */
import { createHash } from 'node:crypto';
import { SHA256_FINGERPRINT } from '../../../shared/config-schema';
import { BurrowError } from '../errors';

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

/** What hostKeyRefusal decides on. */
export interface HostKeyCheck {
  hostName: string;
  /** `user@host:port`, for messages. */
  where: string;
  pin: string | undefined;
  presented: PresentedKey;
  /**
   * Where a first contact may be confirmed (installing a key with a
   * password): the fingerprint the user confirmed, if any. Absent: an
   * unpinned host is always refused.
   */
  confirmed?: string | undefined;
  /** What the refusal says was withheld (default "nothing was sent"). */
  unsent?: string;
}

/**
 * Whether a presented host key may be trusted: it must match the pin or,
 * where first contact may be confirmed and there is no pin, the confirmed
 * fingerprint. Returns the refusal, or undefined when the key is trusted.
 */
export function hostKeyRefusal(c: HostKeyCheck): BurrowError | undefined {
  const { hostName, where, pin, presented } = c;
  const unsent = c.unsent ?? 'nothing was sent';
  const repin = `burrow hostkey ${hostName} --write`;
  if (pin) {
    if (pinMatches(pin, presented)) return undefined;
    return new BurrowError(
      'host-key-mismatch',
      `host key of ${where} does not match its pin: expected ${pinFingerprint(pin)}, presented ${presented.type} ${presented.fingerprint}. ` +
        `The host may be impersonated; ${unsent}. If the key was changed on purpose, re-pin it with: ${repin}`,
    );
  }
  if (!('confirmed' in c)) {
    return new BurrowError(
      'host-key-missing',
      `${where} has no pinned host key (it presented ${presented.type} ${presented.fingerprint}); check it, then pin it with: ${repin}`,
    );
  }
  if (c.confirmed === undefined) {
    return new BurrowError(
      'host-key-missing',
      `${where} has no pinned host key (it presented ${presented.type} ${presented.fingerprint}); ${unsent}. ` +
        `Compare that fingerprint with the host's own (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub on it), then confirm it, or pin it first with: ${repin}`,
    );
  }
  if (c.confirmed.trim() !== presented.fingerprint) {
    return new BurrowError(
      'host-key-mismatch',
      `${where} presented ${presented.type} ${presented.fingerprint}, not the confirmed ${c.confirmed.trim()}; ${unsent}`,
    );
  }
  return undefined;
}
