import { homedir } from 'node:os';
import { join } from 'node:path';
import { BurrowError } from '../../engine/errors';
import { mergeHostsIntoConfig } from '../../engine/keys/merge-hosts';
import { pinFingerprint } from '../../engine/ssh/host-key';
import { expandHome } from '../../engine/paths';
import { defaultKnownHostsPaths, importSshConfigWithPins } from '../../engine/ssh-config-import';
import type { CommandContext } from '../main';

/**
 * `burrow hosts import`: the hosts of ~/.ssh/config as ssh would use them,
 * each with the pin known_hosts already holds for it. Shows them; `--write`
 * adds the ones the config does not have yet (existing hosts are never
 * changed), through the same validated atomic write as a pinned host key.
 */
export async function hostsCommand({ io, configPath, values, positionals }: CommandContext): Promise<number> {
  const [sub] = positionals;
  if (sub !== 'import') throw new BurrowError('config', 'usage: burrow hosts import [--from PATH] [--known-hosts PATH] [--write] [--json]');
  const from = typeof values.from === 'string' ? expandHome(values.from) : join(homedir(), '.ssh', 'config');
  const knownHosts = typeof values['known-hosts'] === 'string' ? [expandHome(values['known-hosts'])] : defaultKnownHostsPaths();
  const { source, hosts, knownHosts: read } = await importSshConfigWithPins(from, knownHosts);

  if (values.json && !values.write) {
    io.out(JSON.stringify({ source, knownHosts: read, hosts }, null, 2));
    return 0;
  }
  io.err(`burrow: ${hosts.length} host${hosts.length === 1 ? '' : 's'} in ${source}; pins from ${read.length ? read.join(', ') : 'no known_hosts file'}`);
  for (const h of hosts) {
    const extra = [h.identityFile ? `key ${h.identityFile}` : '', h.proxyJump ? `via ${h.proxyJump}` : ''].filter(Boolean).join(', ');
    const pin = h.hostKey ? `${h.hostKey.split(' ')[0]} ${pinFingerprint(h.hostKey)}` : 'no pin (burrow hostkey NAME --write after import)';
    io.out(`${h.name.padEnd(20)} ${`${h.user ? `${h.user}@` : ''}${h.hostname}:${h.port}`.padEnd(32)} ${pin}${extra ? `  (${extra})` : ''}`);
  }
  if (!values.write) return 0;

  const report = await mergeHostsIntoConfig(configPath, hosts);
  if (values.json) {
    io.out(JSON.stringify(report, null, 2));
    return 0;
  }
  if (report.added.length) io.err(`burrow: added to ${configPath}: ${report.added.join(', ')}`);
  if (report.kept.length) io.err(`burrow: already in the config, left as they are: ${report.kept.join(', ')}`);
  for (const s of report.skipped) io.err(`burrow: skipped ${s.name}: ${s.reason}`);
  for (const n of report.notes) io.err(`burrow: ${n}`);
  return 0;
}
