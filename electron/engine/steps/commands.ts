/**
 * The OpenSSH commands a person could paste to do a step by hand: the
 * article's advice, "run the pieces by hand", made concrete.
 */
import type { BurrowConfig } from '../../../shared/config-schema';
import { shCommand, shQuote } from '../shell-quote';

export function sshArgsFor(config: BurrowConfig, hostName: string, extra: string[] = []): string[] {
  const h = config.hosts[hostName];
  if (!h) return [...extra, hostName];
  const args: string[] = [...extra];
  if (h.port !== 22) args.push('-p', String(h.port));
  if (h.identityFile) args.push('-i', h.identityFile);
  if (h.proxyJump) {
    const j = config.hosts[h.proxyJump];
    if (j) args.push('-J', `${j.user}@${j.hostname}:${j.port}`);
  }
  args.push(`${h.user}@${h.hostname}`);
  return args;
}

/** `ssh -p 2222 user@host 'remote command'` */
export function sshCommandFor(config: BurrowConfig, hostName: string, remote: string[], extra: string[] = []): string {
  return `ssh ${sshArgsFor(config, hostName, extra).map(shQuote).join(' ')} ${shQuote(shCommand(remote))}`;
}

/** `rsync --version`'s first line; a fixed script, so the source key's gate can admit it. */
export const RSYNC_VERSION_SCRIPT =
  'command -v rsync >/dev/null 2>&1 || { echo "rsync not found in PATH ($PATH)" >&2; exit 127; }; rsync --version | head -n 1';
