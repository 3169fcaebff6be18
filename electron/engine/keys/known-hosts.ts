/**
 * ~/.ssh/known_hosts as ssh reads it (sshd(8), SSH_KNOWN_HOSTS FILE
 * FORMAT): plain and hashed (`|1|salt|hmac`) host names, `[host]:port` for
 * ports other than 22, pattern lists with `*`, `?` and `!`, and the
 * `@cert-authority` / `@revoked` markers. Used to carry the pins a user
 * already trusts into Burrow's config.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { PUBLIC_KEY_LINE } from '../../../shared/config-schema';

/** One key line of a known_hosts file. */
export interface KnownHostEntry {
  /** 1-based line number, for messages. */
  line: number;
  marker?: 'cert-authority' | 'revoked';
  /** The host field as written (a pattern list, or one hashed name). */
  hosts: string;
  hashed: boolean;
  keyType: string;
  keyBase64: string;
  comment: string;
}

/** Every key line of a known_hosts text; comments, blank and malformed lines are skipped. */
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === '' || fields[0]!.startsWith('#')) return;
    let marker: KnownHostEntry['marker'];
    if (fields[0]!.startsWith('@')) {
      const m = fields.shift()!.slice(1).toLowerCase();
      if (m !== 'cert-authority' && m !== 'revoked') return; // an unknown marker: ssh ignores the line too
      marker = m;
    }
    const [hosts, keyType, keyBase64, ...comment] = fields;
    if (!hosts || !keyType || !keyBase64 || !/^[A-Za-z0-9+/]+={0,3}$/.test(keyBase64)) return;
    const entry: KnownHostEntry = { line: i + 1, hosts, hashed: hosts.startsWith('|1|'), keyType, keyBase64, comment: comment.join(' ') };
    if (marker) entry.marker = marker;
    out.push(entry);
  });
  return out;
}

/** The name ssh looks a host up by: `host` on port 22, `[host]:port` on any other. */
export function knownHostsName(hostname: string, port = 22): string {
  return port === 22 ? hostname : `[${hostname}]:${port}`;
}

/** A hashed known_hosts host field for `name` (as `ssh-keygen -H` writes it). */
export function hashKnownHostsName(name: string, salt: Buffer = randomBytes(20)): string {
  const mac = createHmac('sha1', salt).update(name).digest('base64');
  return `|1|${salt.toString('base64')}|${mac}`;
}

function hashedMatches(field: string, name: string): boolean {
  const [, , salt, mac] = field.split('|');
  if (!salt || !mac) return false;
  return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === mac;
}

/** ssh's wildcard patterns: `*` any run, `?` one character; case-insensitive. */
function wildcardMatches(pattern: string, name: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i').test(name);
}

/** Whether an entry's host field names host:port (a negated pattern that matches vetoes the line). */
export function entryMatches(entry: KnownHostEntry, hostname: string, port = 22): boolean {
  const name = knownHostsName(hostname, port);
  if (entry.hashed) return hashedMatches(entry.hosts, name) || hashedMatches(entry.hosts, name.toLowerCase());
  let matched = false;
  for (const pattern of entry.hosts.split(',')) {
    if (pattern.startsWith('!')) {
      if (wildcardMatches(pattern.slice(1), name)) return false;
    } else if (wildcardMatches(pattern, name)) matched = true;
  }
  return matched;
}

/** The order ssh2 asks servers for host key types in: a pin of the type it will be shown is preferred. */
const PREFERENCE = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'ssh-rsa'];

/**
 * Every usable pin (`type base64`) for host:port, best first: plain host
 * keys only, never a CA key, and never a key that an `@revoked` line names.
 */
export function findPins(knownHosts: string | KnownHostEntry[], hostname: string, port = 22): string[] {
  const entries = typeof knownHosts === 'string' ? parseKnownHosts(knownHosts) : knownHosts;
  const revoked = new Set(entries.filter((e) => e.marker === 'revoked').map((e) => e.keyBase64));
  const lines: string[] = [];
  for (const e of entries) {
    if (e.marker || revoked.has(e.keyBase64) || !entryMatches(e, hostname, port)) continue;
    const line = `${e.keyType} ${e.keyBase64}`;
    if (PUBLIC_KEY_LINE.test(line) && !lines.includes(line)) lines.push(line);
  }
  const rank = (l: string) => {
    const i = PREFERENCE.indexOf(l.split(' ')[0]!);
    return i < 0 ? PREFERENCE.length : i;
  };
  return lines.sort((a, b) => rank(a) - rank(b));
}

/** The best pin for host:port from a known_hosts text (or its parsed entries), or undefined. */
export function findPin(knownHosts: string | KnownHostEntry[], hostname: string, port = 22): string | undefined {
  return findPins(knownHosts, hostname, port)[0];
}
