/**
 * Installs a public key on a host, as ssh-copy-id does, with Burrow's
 * rules: the host key is verified (pin, or a fingerprint the user
 * confirmed) before the password is sent, the key line goes in once, and a
 * role restricts what the key may do there (see authorized-keys.ts).
 */
import type { BurrowConfig, HostConfig } from '../../../shared/config-schema';
import { BurrowError } from '../errors';
import { shScript } from '../shell-quote';
import type { AgentProvider } from '../ssh/auth';
import { keyLine, type PresentedKey } from '../ssh/host-key';
import { pinHostKey } from '../pin-host-key';
import { lastLine, SshSession, type ExecResult } from '../ssh/ssh-session';
import {
  authorizedKeyLine,
  DESTINATION_PROBE_SCRIPT,
  destinationKeyOptions,
  INSTALL_SCRIPT,
  parseDestinationProbe,
  publicKeyParts,
  SOURCE_KEY_OPTIONS,
  type KeyRole,
} from './authorized-keys';
import { writeGate, type GateWriteResult } from './gate-install';
import { storeKeyNames } from './store-agent-provider';

/** Which key goes on which host, how it is restricted, and how the host is trusted. */
export interface InstallKeyOptions {
  config: BurrowConfig;
  hostName: string;
  /** `type base64 [comment]`, e.g. a store key's publicKeyLine. */
  publicKeyLine: string;
  /** Used for this one login; never stored or logged. */
  password: string;
  /** Default `unrestricted`. */
  role?: KeyRole;
  /** For role `destination`: the only directory rsync may write to (the job's destination.path). */
  backupPath?: string;
  /** For a host without a pin: the fingerprint the user confirmed. */
  confirmFingerprint?: string;
  /** Agents for the host's proxyJump, if it has one. */
  agents?: AgentProvider;
  /** The config file to pin the host key in when this was the first contact (a confirmed fingerprint). */
  pinIn?: string;
  signal?: AbortSignal;
}

/** What the install did, and the host key it trusted. */
export interface InstallKeyResult {
  /** The line now in authorized_keys. */
  line: string;
  outcome: 'added' | 'present' | 'replaced';
  /** The host key that was verified. */
  hostKey: PresentedKey;
  /** True when the host had no pin and the confirmed fingerprint let the install go ahead. */
  firstContact: boolean;
  /** The fingerprint pinned in `pinIn` after a first contact. */
  pinned?: string;
  /** For role `source`: the gate written, with its warnings and sudoers lines. */
  gate?: GateWriteResult;
}

/** "WHAT failed (exit N): last line of stderr" */
function remoteFailure(what: string, r: ExecResult): BurrowError {
  const why = lastLine(r.stderr);
  return new BurrowError('remote-command', `${what} failed (exit ${r.code ?? 'none'})${why ? `: ${why}` : ''}`);
}

/** For a host without a proxyJump: the password logs in, no key is asked for. */
const NO_AGENTS: AgentProvider = { agentFor: () => Promise.reject(new BurrowError('internal', 'a password login asked for a key agent')) };

/** The install's login: the password, after the host key was checked against the pin or the confirmed fingerprint. */
function passwordSession(opts: Pick<InstallKeyOptions, 'config' | 'hostName' | 'password' | 'confirmFingerprint' | 'agents' | 'signal'>): Promise<SshSession> {
  const host = opts.config.hosts[opts.hostName]!;
  if (host.proxyJump && !opts.agents) throw new BurrowError('config', `${opts.hostName} is reached through ${host.proxyJump}, which needs a key agent`);
  return SshSession.open({
    config: opts.config,
    hostName: opts.hostName,
    password: opts.password,
    ...(opts.confirmFingerprint !== undefined ? { confirmFingerprint: opts.confirmFingerprint } : {}),
    agents: opts.agents ?? NO_AGENTS,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}

/** Connects with the password, builds the line for the role, and installs it. */
export async function installKey(opts: InstallKeyOptions): Promise<InstallKeyResult> {
  const host = opts.config.hosts[opts.hostName];
  if (!host) throw new BurrowError('config', `no host named "${opts.hostName}" in the config`);
  const role = opts.role ?? 'unrestricted';
  const key = publicKeyParts(opts.publicKeyLine);
  if (role === 'destination' && !opts.backupPath) throw new BurrowError('config', 'a destination key needs the backup path it may write to');

  const session = await passwordSession(opts);
  try {
    let options: string | undefined;
    let gate: GateWriteResult | undefined;
    if (role === 'source') {
      // The gate goes in first, pinned to the jobs that use this host: the key line names it as its forced command.
      gate = await writeGate(session, opts.config, opts.hostName);
      options = SOURCE_KEY_OPTIONS;
    }
    if (role === 'destination') options = await destinationOptions(session, opts.hostName, opts.backupPath!);
    const line = authorizedKeyLine(opts.publicKeyLine, options);
    const r = await session.exec(shScript(INSTALL_SCRIPT, [key.base64, line]));
    const outcome = lastLine(r.stdout);
    if (r.code !== 0 || (outcome !== 'added' && outcome !== 'present' && outcome !== 'replaced')) {
      throw remoteFailure(`installing the key in ~/.ssh/authorized_keys on ${opts.hostName}`, r);
    }
    const hostKey = session.presentedKey!;
    const withGate = gate ? { gate } : {};
    if (!host.hostKey && opts.pinIn) {
      await pinHostKey(opts.pinIn, opts.hostName, keyLine(hostKey));
      return { line, outcome, hostKey, firstContact: true, pinned: hostKey.fingerprint, ...withGate };
    }
    return { line, outcome, hostKey, firstContact: !host.hostKey, ...withGate };
  } finally {
    session.close();
  }
}

/** Checks rrsync and the backup dir on the host, and returns the forced-command options. */
async function destinationOptions(session: SshSession, hostName: string, backupPath: string): Promise<string> {
  const dir = backupPath.replace(/\/+$/, '');
  const r = await session.exec(shScript(DESTINATION_PROBE_SCRIPT, [dir]));
  const probe = parseDestinationProbe(r.stdout);
  if (!probe.rrsync) {
    throw new BurrowError(
      'config',
      `rrsync not found on ${hostName}: install the rsync package's rrsync script, e.g. "sudo apt-get install rsync" (Debian 12+ ships /usr/bin/rrsync), ` +
        "or copy rsync's support/rrsync into the PATH (it needs python3); a destination key is restricted to it",
    );
  }
  if (!probe.runs)
    throw new BurrowError('config', `rrsync on ${hostName} (${probe.rrsync}) does not run (it needs python3): ${lastLine(r.stderr) || 'rrsync -h failed'}`);
  if (!probe.absolute) {
    throw new BurrowError(
      'config',
      `rrsync on ${hostName} (${probe.rrsync}) has no -absolute option, which Burrow needs (its transfer names the destination by its absolute path); update rsync there`,
    );
  }
  if (!probe.dir) throw new BurrowError('config', `the backup path ${dir} is not a directory on ${hostName}; create it first`);
  if (probe.dir !== dir) {
    throw new BurrowError(
      'config',
      `the backup path ${dir} is ${probe.dir} on ${hostName} (a symlink on the way); use ${probe.dir} as the job's destination.path`,
    );
  }
  return destinationKeyOptions(probe.rrsync, dir);
}

/**
 * What to change in the config so that store key `keyName`, just installed
 * on `hostName`, is used; undefined when the host already names it.
 */
export function identityFileHint(hostName: string, host: HostConfig, keyName: string, role: KeyRole): string | undefined {
  if (storeKeyNames(host.identityFile)?.includes(keyName)) return undefined;
  return role === 'destination'
    ? `rsync on the source logs in to ${hostName} with it through the forwarded agent: add it to the source host's identityFile after its own key ("burrow:SRC,${keyName}")`
    : `to log in with it, set hosts.${hostName}.identityFile to "burrow:${keyName}"`;
}

/** The backup directories the config's jobs write to on `hostName`: where a destination key may write. */
export function destinationPathsFor(config: BurrowConfig, hostName: string): string[] {
  return [...new Set(config.jobs.filter((j) => j.destination.host === hostName).map((j) => j.destination.path))];
}

/**
 * `burrow keys update-gate HOST`: rewrites the source key's gate from the
 * config's jobs for that host, with the same login as the install (the
 * password): the key the gate guards can never rewrite it.
 */
export async function updateGate(
  opts: Pick<InstallKeyOptions, 'config' | 'hostName' | 'password' | 'confirmFingerprint' | 'agents' | 'signal'>,
): Promise<GateWriteResult> {
  const host = opts.config.hosts[opts.hostName];
  if (!host) throw new BurrowError('config', `no host named "${opts.hostName}" in the config`);
  if (!opts.config.jobs.some((j) => j.source === opts.hostName))
    throw new BurrowError('config', `no job uses ${opts.hostName} as its source: there is no gate to write`);
  const session = await passwordSession(opts);
  try {
    return await writeGate(session, opts.config, opts.hostName);
  } finally {
    session.close();
  }
}

/** Where a key goes and how, before any password is asked for: the same for `burrow keys install` and the Keys page. */
export interface InstallPlan {
  host: HostConfig;
  /** For a destination key: the one directory it may write to. */
  backupPath?: string;
  /** The host has no pin: its fingerprint must be confirmed first. */
  needsFingerprint: boolean;
  /** What `installKey` takes from the plan; the caller adds the key, the password and how to reach the host. */
  install: Pick<InstallKeyOptions, 'config' | 'hostName' | 'role' | 'backupPath'>;
}

/**
 * Checks an install request against the config: the host exists, a
 * destination key gets exactly one backup path (the given one, or the one
 * directory the host's jobs write to), and only a destination key takes a
 * path. Errors name the field they are about (host, path).
 */
export function planKeyInstall(config: BurrowConfig, hostName: string, role: KeyRole, path?: string): InstallPlan {
  const field = (name: string, message: string) => new BurrowError('config', `${name}: ${message}`, { problems: [{ path: name, message }] });
  const host = config.hosts[hostName];
  if (!host) throw field('host', `no host named "${hostName}" in the config (hosts: ${Object.keys(config.hosts).join(', ') || 'none'})`);
  if (path !== undefined && role !== 'destination') throw field('path', 'only a destination key is restricted to a directory; leave it empty');
  let backupPath = path;
  if (role === 'destination' && !backupPath) {
    const paths = destinationPathsFor(config, hostName);
    if (paths.length !== 1)
      throw field('path', `say which directory the key may write to (jobs to ${hostName} use ${paths.length ? paths.join(', ') : 'none'})`);
    backupPath = paths[0];
  }
  return {
    host,
    ...(backupPath ? { backupPath } : {}),
    needsFingerprint: !host.hostKey,
    install: { config, hostName, role, ...(backupPath ? { backupPath } : {}) },
  };
}
