/**
 * Hosts from ~/.ssh/config, parsed by the ssh-config library (Include,
 * Match and quoting are its business, not ours): every concrete Host entry
 * with what ssh would use for it.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import SSHConfig from 'ssh-config';
import type { ImportedHost } from '../../shared/api-contract';
import { findPin, parseKnownHosts } from './keys/known-hosts';

export function hostsFromSshConfig(text: string): ImportedHost[] {
  const config = SSHConfig.parse(text);
  const names = new Set<string>();
  for (const section of config) {
    if (!('param' in section) || section.param.toLowerCase() !== 'host') continue;
    const values = Array.isArray(section.value) ? section.value : String(section.value).split(/\s+/);
    for (const v of values) {
      const name = typeof v === 'string' ? v : (v as { val: string }).val;
      if (name && !/[*?!]/.test(name)) names.add(name);
    }
  }
  const out: ImportedHost[] = [];
  for (const name of names) {
    const c = config.compute(name) as Record<string, string | string[] | undefined>;
    const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
    const host: ImportedHost = { name: name.replace(/[^A-Za-z0-9._-]/g, '-'), hostname: first(c.HostName) ?? name, port: Number(first(c.Port) ?? 22) };
    const user = first(c.User);
    const identityFile = first(c.IdentityFile);
    const proxyJump = first(c.ProxyJump);
    if (user) host.user = user;
    if (identityFile) host.identityFile = identityFile;
    if (proxyJump && !proxyJump.includes(',') && proxyJump !== 'none') host.proxyJump = proxyJump;
    out.push(host);
  }
  return out;
}

export async function importSshConfig(path = join(homedir(), '.ssh', 'config')): Promise<{ source: string; hosts: ImportedHost[] }> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return { source: path, hosts: hostsFromSshConfig(text) };
}

/** The known_hosts files ssh reads by default: the user's, then the system's. */
export function defaultKnownHostsPaths(home: string = homedir()): string[] {
  return [join(home, '.ssh', 'known_hosts'), join(home, '.ssh', 'known_hosts2'), '/etc/ssh/ssh_known_hosts'];
}

/**
 * Adds to each host the pin known_hosts has for its HostName and Port (a
 * host that already has one keeps it). known_hosts is what the user's own
 * ssh already trusts for that name, so it is a pin, not a first contact.
 */
export function withKnownHostsPins(hosts: ImportedHost[], knownHostsText: string): ImportedHost[] {
  const entries = parseKnownHosts(knownHostsText); // once, not per host
  return hosts.map((h) => {
    if (h.hostKey) return h;
    const pin = findPin(entries, h.hostname, h.port);
    return pin ? { ...h, hostKey: pin } : h;
  });
}

/** importSshConfig, with pins from the known_hosts files (missing files are skipped). */
export async function importSshConfigWithPins(
  path = join(homedir(), '.ssh', 'config'),
  knownHostsPaths: string[] = defaultKnownHostsPaths(),
): Promise<{ source: string; hosts: ImportedHost[]; knownHosts: string[] }> {
  const imported = await importSshConfig(path);
  const read: string[] = [];
  let text = '';
  for (const p of knownHostsPaths) {
    const t = await readFile(p, 'utf8').catch(() => undefined);
    if (t === undefined) continue;
    read.push(p);
    text += `${t}\n`;
  }
  return { ...imported, hosts: withKnownHostsPins(imported.hosts, text), knownHosts: read };
}
