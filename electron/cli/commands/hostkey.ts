import { loadConfig } from '../../engine/config-file';
import { BurrowError } from '../../engine/errors';
import { keyLine, pinFingerprint } from '../../engine/ssh/host-key';
import { SshSession } from '../../engine/ssh/ssh-session';
import { pinHostKey } from '../../engine/pin-host-key';
import type { CommandContext } from '../main';
import { confirm } from '../output';

/**
 * `burrow hostkey HOST [--write]`: fetches the key the host presents (no
 * authentication happens) and prints it with its fingerprint. `--write` pins
 * it after the user confirmed it, on a terminal or with --yes.
 */
export async function hostkeyCommand({ io, configPath, values, positionals }: CommandContext): Promise<number> {
  const hostName = positionals[0];
  if (!hostName) throw new BurrowError('config', 'name a host: burrow hostkey HOST [--write]');
  const config = await loadConfig(configPath);
  const host = config.hosts[hostName];
  if (!host) throw new BurrowError('config', `no host named "${hostName}" in ${configPath}`);
  const key = await SshSession.fetchHostKey({ config, hostName });
  const line = keyLine(key);
  io.out(`${hostName} ${host.hostname}:${host.port} ${key.type} ${key.fingerprint}\n${line}`);
  if (host.hostKey) {
    const same = pinFingerprint(host.hostKey) === key.fingerprint;
    io.err(
      same ? `burrow: matches the pinned key` : `burrow: WARNING: differs from the pinned key ${pinFingerprint(host.hostKey)}; the host may be impersonated`,
    );
  }
  if (!values.write) return 0;
  if (!values.yes) {
    if (!process.stdin.isTTY) {
      throw new BurrowError(
        'config',
        `not pinning without confirmation: compare ${key.fingerprint} with the host's own (ssh-keygen -lf /etc/ssh/ssh_host_${key.type.replace(/^ssh-|-.*$/g, '')}_key.pub), then re-run with --yes`,
      );
    }
    if (!(await confirm(`Pin ${key.fingerprint} for ${hostName}? Only if it matches the host's own fingerprint.`))) {
      io.err('burrow: not pinned');
      return 1;
    }
  }
  await pinHostKey(configPath, hostName, line);
  io.err(`burrow: pinned ${key.fingerprint} for ${hostName} in ${configPath}`);
  return 0;
}
