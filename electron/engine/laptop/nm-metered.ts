/**
 * Whether the network is metered, from NetworkManager over D-Bus
 * (org.freedesktop.NetworkManager's Metered property, asked with busctl):
 * yes or guess-yes is metered. Where there is no NetworkManager or no
 * system bus (macOS, Windows, a server), the answer is unknown: runs go on.
 */
import { execFile } from 'node:child_process';

/** NMMetered: 0 unknown, 1 yes, 2 no, 3 guess-yes, 4 guess-no. */
export function parseMetered(busctlOutput: string): boolean | undefined {
  const m = /^u\s+(\d+)\s*$/.exec(busctlOutput.trim());
  if (!m) return undefined;
  const v = Number(m[1]);
  if (v === 1 || v === 3) return true;
  if (v === 2 || v === 4) return false;
  return undefined;
}

export function readNetworkManagerMetered(timeoutMs = 2000): Promise<boolean | undefined> {
  return new Promise((resolve) => {
    execFile(
      'busctl',
      ['--system', 'get-property', 'org.freedesktop.NetworkManager', '/org/freedesktop/NetworkManager', 'org.freedesktop.NetworkManager', 'Metered'],
      { timeout: timeoutMs, encoding: 'utf8' },
      (err, stdout) => resolve(err ? undefined : parseMetered(stdout)),
    );
  });
}
