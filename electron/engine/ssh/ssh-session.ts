/**
 * One SSH connection from the laptop, with Burrow's hygiene built in: the host
 * key is checked against its pin before authentication, a ready timeout and
 * keepalives are always set, errors come out as BurrowErrors naming the host,
 * and a host behind `proxyJump` is reached through its jump host's session.
 * It logs in with keys (an agent), or, only to put a key in place, once with
 * a password, sent after the host key was verified and never kept.
 */
import { EventEmitter } from 'node:events';
import { StringDecoder } from 'node:string_decoder';
import { Client, type ClientChannel, type ConnectConfig } from './ssh2-lib';
import type { BurrowConfig, HostConfig } from '../../../shared/config-schema';
import { BurrowError, cancelledError } from '../errors';
import { shCommand } from '../shell-quote';
import type { AgentProvider } from './auth';
import { describeKeyBlob, hostKeyRefusal, type PresentedKey } from './host-key';
import { describe, translateSshError, type Endpoint } from './ssh-errors';

export type SessionState = 'idle' | 'connecting' | 'up' | 'failed' | 'closed';

export interface SessionOptions {
  config: BurrowConfig;
  hostName: string;
  /** Keys for this host (unless `password` is given) and for its proxyJump. */
  agents: AgentProvider;
  signal?: AbortSignal;
  /** Only fetch the host key: never authenticate, resolve with the key. Used by `burrow hostkey`. */
  keyOnly?: boolean;
  /**
   * Log in with this password instead of keys: only for putting a key in
   * place (install-key). Used for this connection only, never stored or
   * logged, and sent only after the host key was verified.
   */
  password?: string;
  /**
   * With `password`, for a host without a pin: the fingerprint the user
   * confirmed (after comparing it with the host's own).
   */
  confirmFingerprint?: string;
}

export interface ExecOptions {
  onStdout?: (text: string) => void;
  onStderr?: (text: string) => void;
  signal?: AbortSignal;
  agentForward?: boolean;
  /** Keep at most this many characters of each stream (the tail). */
  maxKeep?: number;
  /** Written to the command's standard input, then EOF (lists of names travel so, never as arguments). */
  stdin?: string | Buffer;
  /** Standard output piped as raw bytes into this stream (a tar stream), with backpressure; stdout is then not kept as text. */
  stdoutTo?: import('node:stream').Writable;
}

export interface ExecResult {
  /** Exit status; null when the remote command ended without one. */
  code: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
}

interface SessionEvents {
  state: [SessionState];
}

export class SshSession extends EventEmitter<SessionEvents> {
  state: SessionState = 'idle';
  readonly client = new Client();
  readonly endpoint: Endpoint;
  /** The key the server presented, once seen. */
  presentedKey?: PresentedKey;
  private jump?: SshSession;
  private readonly host: HostConfig;

  private constructor(private readonly opts: SessionOptions) {
    super();
    const host = opts.config.hosts[opts.hostName];
    if (!host) throw new BurrowError('config', `no host named "${opts.hostName}" in the config`);
    this.host = host;
    this.endpoint = { name: opts.hostName, user: host.user, hostname: host.hostname, port: host.port };
  }

  /** Connects (through the jump host when set) and resolves once authenticated. */
  static async open(opts: SessionOptions): Promise<SshSession> {
    const session = new SshSession(opts);
    try {
      await session.connect();
    } catch (err) {
      session.close();
      throw err;
    }
    return session;
  }

  /** Connects only far enough to see the host key; never authenticates. */
  static async fetchHostKey(opts: Omit<SessionOptions, 'keyOnly' | 'agents'> & { agents?: AgentProvider }): Promise<PresentedKey> {
    const agents: AgentProvider = opts.agents ?? { agentFor: () => Promise.reject(new Error('no agent')) };
    const session = new SshSession({ ...opts, agents, keyOnly: true });
    try {
      await session.connect();
    } catch (err) {
      if (session.presentedKey) return session.presentedKey;
      throw err;
    } finally {
      session.close();
    }
    throw new BurrowError('internal', `${opts.hostName} completed a handshake without showing a host key`);
  }

  private setState(s: SessionState): void {
    if (this.state === s) return;
    this.state = s;
    this.emit('state', s);
  }

  private async connect(): Promise<void> {
    const { config, signal } = this.opts;
    if (signal?.aborted) throw cancelledError(`connecting to ${this.endpoint.name}`);
    this.setState('connecting');
    const base: ConnectConfig = {
      host: this.host.hostname,
      port: this.host.port,
      username: this.host.user,
      readyTimeout: config.ssh.readyTimeoutMs,
      keepaliveInterval: config.ssh.keepaliveIntervalMs,
      keepaliveCountMax: config.ssh.keepaliveCountMax,
      hostVerifier: (key: Buffer) => this.verifyHostKey(key),
    };
    if (this.host.proxyJump) {
      // The jump host authenticates with its own settings (keys); only its session is reused.
      this.jump = await SshSession.open({ config, hostName: this.host.proxyJump, agents: this.opts.agents, ...(signal ? { signal } : {}) });
      base.sock = await this.jump.forwardOut(this.host.hostname, this.host.port);
    }
    const password = this.opts.password;
    if (password !== undefined && !this.opts.keyOnly) {
      base.password = password;
      // PAM-based servers ask for the password by keyboard-interactive instead.
      base.tryKeyboard = true;
      this.client.on('keyboard-interactive', (_name, _instr, _lang, prompts, finish) => {
        // Only a single hidden prompt gets the password: never echo it into a visible one.
        finish(prompts.length === 1 && prompts[0]?.echo === false ? [password] : prompts.map(() => ''));
      });
    } else if (!this.opts.keyOnly) {
      // Agent forwarding is requested per command (only rsync's), not per connection.
      base.agent = await this.opts.agents.agentFor(this.endpoint.name, this.host);
    }
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.client.destroy();
        reject(cancelledError(`connecting to ${this.endpoint.name}`));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.client.once('ready', () => {
        signal?.removeEventListener('abort', onAbort);
        this.client.setNoDelay(true);
        // ssh2 keeps the socket to itself; its local address tells a network change apart later (see connection-loss.ts).
        const local = (this.client as unknown as { _sock?: { localAddress?: unknown } })._sock?.localAddress;
        if (typeof local === 'string') this.localAddress = local;
        resolve();
      });
      this.client.once('error', (err: Error & { level?: string }) => {
        signal?.removeEventListener('abort', onAbort);
        if (this.keyProblem) return reject(this.keyProblem);
        if (password !== undefined && err.level === 'client-authentication') {
          return reject(
            new BurrowError(
              'auth',
              `password login to ${describe(this.endpoint)} failed: the password was refused, or the host does not allow password logins`,
            ),
          );
        }
        reject(translateSshError(err, this.endpoint, config.ssh.readyTimeoutMs));
      });
      this.client.connect(base);
    }).catch((err) => {
      this.setState('failed');
      throw err;
    });
    this.client.on('error', (err) => {
      // Remembered so a command cut off by it reports the real cause (a keepalive timeout, say).
      this.lostError = translateSshError(err, this.endpoint, config.ssh.readyTimeoutMs);
      this.setState('failed');
    });
    this.client.on('close', () => this.setState(this.state === 'failed' ? 'failed' : 'closed'));
    this.setState('up');
  }

  private keyProblem?: BurrowError;
  /** Why the connection was lost after it was up, once it was. */
  lostError?: BurrowError;
  /** The laptop's address of a direct connection, as it was when the connection came up. */
  localAddress?: string;

  /**
   * One round trip to the server within `timeoutMs`: whether the connection
   * still carries anything (after the laptop woke up, say). It asks sshd to
   * cancel a forward on port 1, which Burrow never binds (tunnelPort is 0 or
   * 1024-65535): a global request every sshd answers, no or yes, through
   * ssh2's public API, and it changes nothing. Any answer is life
   * (`answered`); a connection that is or gets closed meanwhile is `closed`;
   * no answer within the time, `silent`.
   */
  ping(timeoutMs: number): Promise<'answered' | 'closed' | 'silent'> {
    if (this.state !== 'up') return Promise.resolve('closed');
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.state === 'up' ? 'silent' : 'closed'), timeoutMs);
      try {
        // sshd's "no" comes back as an error too; a connection that closed instead is no longer up by then.
        this.client.unforwardIn('127.0.0.1', 1, () => {
          clearTimeout(timer);
          resolve(this.state === 'up' ? 'answered' : 'closed');
        });
      } catch {
        // ssh2 throws "Not connected" when its socket is no longer writable.
        clearTimeout(timer);
        resolve('closed');
      }
    });
  }

  private verifyHostKey(blob: Buffer): boolean {
    const presented = describeKeyBlob(blob);
    this.presentedKey = presented;
    if (this.opts.keyOnly) {
      this.keyProblem = new BurrowError('host-key-missing', 'host key fetched; not authenticating');
      return false;
    }
    this.keyProblem = hostKeyRefusal({
      hostName: this.endpoint.name,
      where: describe(this.endpoint),
      pin: this.host.hostKey,
      presented,
      ...(this.opts.password !== undefined ? { confirmed: this.opts.confirmFingerprint, unsent: 'no password was sent' } : {}),
    });
    if (this.keyProblem) return false;
    return true;
  }

  /** Opens a direct-tcpip channel from this host to host:port (for jump hosts and relays). */
  forwardOut(host: string, port: number): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      this.client.forwardOut('127.0.0.1', 0, host, port, (err, channel) => {
        if (err) {
          reject(new BurrowError('unreachable', `${this.endpoint.name} could not open a connection to ${host}:${port}: ${err.message}`));
        } else resolve(channel);
      });
    });
  }

  /** Runs argv on the host, each argument quoted; success is the exit status, not stderr. */
  exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const command = shCommand(argv);
    const maxKeep = opts.maxKeep ?? 1_000_000;
    return new Promise((resolve, reject) => {
      if (opts.signal?.aborted) return reject(cancelledError(`"${argv[0]}" on ${this.endpoint.name}`));
      // ssh2 honours agentForward per exec; its typings omit it.
      const execOpts = { agentForward: opts.agentForward === true } as unknown as import('ssh2').ExecOptions;
      this.client.exec(command, execOpts, (err, stream) => {
        if (err) {
          reject(new BurrowError('remote-command', `could not start "${argv[0]}" on ${this.endpoint.name}: ${err.message}`));
          return;
        }
        let stdout = '';
        let stderr = '';
        let code: number | null = null;
        let sig: string | undefined;
        const out = new StringDecoder('utf8');
        const errDec = new StringDecoder('utf8');
        const keep = (acc: string, s: string) => {
          const next = acc + s;
          return next.length > maxKeep ? next.slice(next.length - maxKeep) : next;
        };
        const onAbort = () => {
          try {
            stream.signal('TERM');
            stream.close();
          } catch {
            // The connection is gone already (dropped after a sleep): its 'close' ends the command.
          }
        };
        opts.signal?.addEventListener('abort', onAbort, { once: true });
        // Input when given, then EOF at once (as `ssh -n` does), so nothing on
        // the remote side (a login shell's rc file, say) can wait on it.
        if (opts.stdin !== undefined) stream.end(opts.stdin);
        else stream.end();
        if (opts.stdoutTo) stream.pipe(opts.stdoutTo);
        else
          stream.on('data', (b: Buffer) => {
            const s = out.write(b);
            stdout = keep(stdout, s);
            opts.onStdout?.(s);
          });
        stream.stderr.on('data', (b: Buffer) => {
          const s = errDec.write(b);
          stderr = keep(stderr, s);
          opts.onStderr?.(s);
        });
        stream.on('exit', (c: number | null, s?: string) => {
          if (typeof c === 'number') code = c;
          if (s) sig = s;
        });
        stream.on('close', () => {
          opts.signal?.removeEventListener('abort', onAbort);
          if (opts.signal?.aborted) return reject(cancelledError(`"${argv[0]}" on ${this.endpoint.name}`));
          if (code === null && !sig && this.lostError) return reject(this.lostError);
          // The connection itself ended under the command, with no error to tell (the host's sshd was restarted, the host went down).
          if (code === null && !sig && this.state !== 'up') {
            return reject(
              new BurrowError(
                'unreachable',
                `the connection to ${describe(this.endpoint)} closed while "${argv[0]}" ran (its sshd restarted, or the host went down)`,
              ),
            );
          }
          const r: ExecResult = { code, stdout: stdout + out.end(), stderr: stderr + errDec.end() };
          if (sig) r.signal = sig;
          resolve(r);
        });
      });
    });
  }

  /** Runs argv and throws a BurrowError unless it exits 0. */
  async run(argv: readonly string[], what: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const r = await this.exec(argv, opts);
    if (r.code !== 0) {
      const status = r.code === null ? (r.signal ? `was killed by SIG${r.signal.replace(/^SIG/, '')}` : 'ended without an exit status') : `exited ${r.code}`;
      const tail = lastLine(r.stderr);
      throw new BurrowError('remote-command', `${what} on ${this.endpoint.name} ${status}${tail ? `: ${tail}` : ''}`);
    }
    return r;
  }

  close(): void {
    this.client.end();
    this.client.destroy();
    this.jump?.close();
    if (this.state !== 'failed') this.setState('closed');
  }

  /**
   * Closes a connection whose peer no longer answers (the laptop slept or
   * roamed): the socket goes at once, and with it every command still
   * waiting on it. close() says goodbye and waits for the peer's
   * acknowledgement (ssh2's destroy() does nothing once end() has been
   * called), which a silent peer never sends.
   */
  drop(): void {
    (this.client as unknown as { _sock?: { destroy(): void } })._sock?.destroy();
    this.close();
  }
}

export function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines[lines.length - 1] ?? '';
}

/** `a NUL b NUL c NUL d NUL` (what Burrow's scripts print) as pairs [a, b], [c, d]. */
export function nulPairs(text: string): [string, string][] {
  const parts = text.split('\0');
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) out.push([parts[i]!, parts[i + 1]!]);
  return out;
}
