/**
 * sshd_config rendering for lab hosts.
 */

/** Everything that differs between hosts and modes. */
export interface SshdConfigParams {
  role: string;
  port: number;
  listenAddresses: string[];
  hostKeyPath: string;
  pidFile: string;
  user: string;
  /** Relative (`.ssh/authorized_keys`) in netns mode, absolute in loopback mode. */
  authorizedKeysFile: string;
  strictModes: boolean;
  /** `prohibit-password` when the login user is root, else `no`. */
  permitRootLogin: 'no' | 'prohibit-password';
  passwordAuth: boolean;
  /** The session's TMPDIR: a per-host temp dir, so hosts sharing one filesystem do not share /tmp. */
  tmpDir: string;
  extraLines: string[];
}

/** Keywords that may appear several times and that extra lines add to rather than replace. */
const STRUCTURAL = new Set(['port', 'listenaddress', 'hostkey']);

/**
 * Render an sshd_config. Extra lines are appended; an extra line before the
 * first `Match` whose keyword the lab also sets removes the lab's line, because
 * sshd uses the first value it reads for most keywords.
 */
export function renderSshdConfig(p: SshdConfigParams): string {
  const defaults: string[] = [
    `Port ${p.port}`,
    ...p.listenAddresses.map((a) => `ListenAddress ${a}`),
    `HostKey ${p.hostKeyPath}`,
    `PidFile ${p.pidFile}`,
    `AuthorizedKeysFile ${p.authorizedKeysFile}`,
    `StrictModes ${p.strictModes ? 'yes' : 'no'}`,
    `AllowUsers ${p.user}`,
    `PermitRootLogin ${p.permitRootLogin}`,
    'UsePAM no',
    `PasswordAuthentication ${p.passwordAuth ? 'yes' : 'no'}`,
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    'AllowAgentForwarding yes',
    'AllowTcpForwarding yes',
    'GatewayPorts no',
    'X11Forwarding no',
    'PrintMotd no',
    'PrintLastLog no',
    'UseDNS no',
    'LogLevel VERBOSE',
    'Subsystem sftp internal-sftp',
    'MaxStartups 100',
    'MaxSessions 50',
    'ClientAliveInterval 0',
    `SetEnv TMPDIR=${p.tmpDir}`,
  ];
  const overridden = new Set<string>();
  for (const line of p.extraLines) {
    const keyword = line.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
    if (keyword === 'match') break;
    if (keyword && !keyword.startsWith('#') && !STRUCTURAL.has(keyword)) overridden.add(keyword);
  }
  const kept = defaults.filter((l) => !overridden.has(l.split(' ')[0]!.toLowerCase()));
  const extra = p.extraLines.length > 0 ? ['# extra lines', ...p.extraLines] : [];
  return [`# Burrow lab host: ${p.role} (generated)`, ...kept, ...extra, ''].join('\n');
}
