/**
 * Public types of the lab (re-exported by `lab.ts`).
 */
import type { ExecResult } from './run';

export type { ExecResult } from './run';

/** `netns`: one network namespace and system user per host; `loopback`: sshd processes on 127.0.0.1. */
export type LabMode = 'netns' | 'loopback';

/** The three hosts of the article's topology. */
export type HostRole = 'source' | 'destination' | 'proxy';

/** Options of {@link LabHost.exec} and {@link LabHost.execAsUser}. */
export interface HostExecOptions {
  /** Written to stdin, which is then closed. */
  input?: string;
  /** SIGKILL the command after this many milliseconds (default 60 000). */
  timeoutMs?: number;
}

/** One sshd host of the lab. */
export interface LabHost {
  role: HostRole;
  /** Address the laptop uses to reach this sshd. */
  address: string;
  /** sshd port (22 in netns mode, a free port in loopback mode). */
  port: number;
  /** Login user. */
  user: string;
  uid: number;
  gid: number;
  /** This host's home dir (absolute, inside the lab dir). */
  home: string;
  /** Current host public key, `ssh-ed25519 AAAA...` (no comment). */
  hostKeyLine: string;
  /** `SHA256:...` exactly as `ssh-keygen -lf` prints it. */
  hostKeyFingerprint: string;
  /** Network namespace name (netns mode only). */
  netns?: string;
  /** The laptop's address on this host's link (netns mode only), e.g. to prove the host cannot reach it. */
  laptopAddress?: string;
  /** authorized_keys path of this host's user. */
  authorizedKeysPath: string;
  /** PID of the running sshd listener, `undefined` while stopped. */
  sshdPid(): number | undefined;
  /**
   * Run a command (argv, no shell) inside this host's namespace (netns) or
   * locally (loopback), as root / the current user.
   */
  exec(argv: string[], opts?: HostExecOptions): Promise<ExecResult>;
  /**
   * Same as {@link exec} but as the host's user (`runuser -u USER --` in netns
   * mode, plain in loopback mode), with the home directory as working
   * directory.
   */
  execAsUser(argv: string[], opts?: HostExecOptions): Promise<ExecResult>;
  /** `chown -R` the path to the host user (no-op in loopback mode). */
  own(path: string): Promise<void>;
  /** True if a TCP connect from inside this host to address:port succeeds within timeoutMs (default 2000). */
  canConnect(address: string, port: number, timeoutMs?: number): Promise<boolean>;
  /**
   * Occupy 127.0.0.1:port inside this host with a plain TCP listener. Resolves
   * once listening; the returned function closes it and waits until it is gone.
   */
  occupyPort(port: number): Promise<() => Promise<void>>;
  /** TCP listening ports of this host (`ss -Hltn` inside the namespace; the whole machine in loopback mode). */
  listeningPorts(): Promise<number[]>;
  /** Kill sshd and every session process it spawned with SIGKILL; resolves when all are gone. */
  kill(): Promise<void>;
  /** Start sshd (again); resolves when the port answers with an SSH banner. No-op while running. */
  start(): Promise<void>;
  /** Replace the host key with a new one and restart sshd (if it was running). */
  rotateHostKey(): Promise<void>;
  /**
   * Replace the extra sshd_config lines, validate, and restart sshd (if it was
   * running). Extra lines before any `Match` override the lab's default for
   * the same keyword (sshd keeps the first value it reads, so a plain append
   * would be ignored).
   */
  reconfigure(extraLines: string[]): Promise<void>;
}

/** A running lab. */
export interface Lab {
  /** Random 4-hex id, part of every name the lab creates. */
  id: string;
  mode: LabMode;
  /** Lab directory; everything the lab writes lives below it. */
  dir: string;
  /** The laptop's key pair (ed25519, no passphrase), authorised on every host. */
  clientKey: { privateKeyPath: string; publicKeyLine: string };
  source: LabHost;
  destination: LabHost;
  proxy: LabHost;
  /** Address the proxy uses to reach the source's sshd (netns: proxy<->source link; loopback: 127.0.0.1). */
  sourceAddressFromProxy: string;
  /** Idempotent teardown: sshd and descendants, namespaces, veths, nft tables, users, the lab dir. Never throws. */
  stop(): Promise<void>;
}

/** Options of {@link startLab}. */
export interface LabOptions {
  /** Default `auto` (or env `BURROW_LAB_MODE`): netns when root and `ip netns add` works. */
  mode?: 'auto' | LabMode;
  /**
   * Enable `PasswordAuthentication yes`. In netns mode the password is set for
   * each host user with chpasswd; in loopback mode the current user's password
   * is left alone.
   */
  passwordAuth?: { password: string };
  /** Extra sshd_config lines per host (see {@link LabHost.reconfigure}). */
  sshdExtra?: Partial<Record<HostRole, string[]>>;
}
