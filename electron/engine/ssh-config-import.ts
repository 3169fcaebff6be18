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
