/**
 * A one-off SSH login with a password, for the single moment Burrow needs
 * one: putting a public key into a host's authorized_keys (what ssh-copy-id
 * does). The host key is checked before the password is sent, exactly as
 * SshSession checks it; the password is used for this connection only and
 * is never stored or logged.
 */
import { StringDecoder } from 'node:string_decoder';
import type { BurrowConfig, HostConfig } from '../../../shared/config-schema';
import { BurrowError, cancelledError } from '../errors';
import { shCommand } from '../shell-quote';
import type { AgentProvider } from '../ssh/auth';
import { describeKeyBlob, pinFingerprint, pinMatches, type PresentedKey } from '../ssh/host-key';
import { describe, translateSshError, type Endpoint } from '../ssh/ssh-errors';
import { SshSession } from '../ssh/ssh-session';
import { Client, type ConnectConfig } from '../ssh/ssh2-lib';

/** Where to log in with a password, and how its host key is trusted. */
export interface PasswordSessionOptions {
  config: BurrowConfig;
  hostName: string;
  password: string;
  /**
   * For a host without a pin: the fingerprint the user confirmed (after
   * comparing it with the host's own). Without a pin or this, nothing is sent.
   */
  confirmFingerprint?: string;
  /** Agents for the host's proxyJump, when it has one (the jump host logs in with keys). */
  agents?: AgentProvider;
  signal?: AbortSignal;
}

/** A finished remote command: its exit status and output. */
export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Whether the presented host key may be trusted: it must match the pin, or,
 * when there is no pin, the fingerprint the caller confirmed. Returns the
 * refusal, or undefined when the key is trusted.
 */
export function hostKeyRefusal(hostName: string, where: string, pin: string | undefined, presented: PresentedKey, confirmed?: string): BurrowError | undefined {
  if (pin) {
    if (pinMatches(pin, presented)) return undefined;
    return new BurrowError(
      'host-key-mismatch',
      `host key of ${where} does not match its pin: expected ${pinFingerprint(pin)}, presented ${presented.type} ${presented.fingerprint}. ` +
        `The host may be impersonated; no password was sent. If the key was changed on purpose, re-pin it with: burrow hostkey ${hostName} --write`,
    );
  }
  if (confirmed === undefined) {
    return new BurrowError(
      'host-key-missing',
      `${where} has no pinned host key (it presented ${presented.type} ${presented.fingerprint}); no password was sent. ` +
        `Compare that fingerprint with the host's own (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub on it), then confirm it, or pin it first with: burrow hostkey ${hostName} --write`,
    );
  }
  if (confirmed.trim() !== presented.fingerprint) {
    return new BurrowError(
      'host-key-mismatch',
      `${where} presented ${presented.type} ${presented.fingerprint}, not the confirmed ${confirmed.trim()}; no password was sent`,
    );
  }
  return undefined;
}

/** An SSH connection authenticated by password; only install-key uses one. */
export class PasswordSession {
  readonly client = new Client();
  readonly endpoint: Endpoint;
  presentedKey?: PresentedKey;
  private jump?: SshSession;
  private refusal?: BurrowError;
  private readonly host: HostConfig;

  private constructor(private readonly opts: PasswordSessionOptions) {
    const host = opts.config.hosts[opts.hostName];
    if (!host) throw new BurrowError('config', `no host named "${opts.hostName}" in the config`);
    this.host = host;
    this.endpoint = { name: opts.hostName, user: host.user, hostname: host.hostname, port: host.port };
  }

  /** Connects and logs in with the password; the host key is verified first. */
  static async open(opts: PasswordSessionOptions): Promise<PasswordSession> {
    const s = new PasswordSession(opts);
    try {
      await s.connect();
    } catch (err) {
      s.close();
      throw err;
    }
    return s;
  }

  private async connect(): Promise<void> {
    const { config, signal, password } = this.opts;
    if (signal?.aborted) throw cancelledError(`connecting to ${this.endpoint.name}`);
    const base: ConnectConfig = {
      host: this.host.hostname,
      port: this.host.port,
      username: this.host.user,
      password,
      // PAM-based servers ask for the password by keyboard-interactive instead.
      tryKeyboard: true,
      readyTimeout: config.ssh.readyTimeoutMs,
      keepaliveInterval: config.ssh.keepaliveIntervalMs,
      keepaliveCountMax: config.ssh.keepaliveCountMax,
      hostVerifier: (blob: Buffer) => this.verify(blob),
    };
    if (this.host.proxyJump) {
      if (!this.opts.agents) throw new BurrowError('config', `${this.endpoint.name} is reached through ${this.host.proxyJump}, which needs a key agent`);
      this.jump = await SshSession.open({ config, hostName: this.host.proxyJump, agents: this.opts.agents, ...(signal ? { signal } : {}) });
      base.sock = await this.jump.forwardOut(this.host.hostname, this.host.port);
    }
    this.client.on('keyboard-interactive', (_name, _instr, _lang, prompts, finish) => {
      // Only a single hidden prompt gets the password: never echo it into a visible one.
      finish(prompts.length === 1 && prompts[0]?.echo === false ? [password] : prompts.map(() => ''));
    });
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.client.destroy();
        reject(cancelledError(`connecting to ${this.endpoint.name}`));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.client.once('ready', () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      this.client.once('error', (err: Error & { level?: string }) => {
        signal?.removeEventListener('abort', onAbort);
        if (this.refusal) return reject(this.refusal);
        if (err.level === 'client-authentication') {
          return reject(new BurrowError('auth', `password login to ${describe(this.endpoint)} failed: the password was refused, or the host does not allow password logins`));
        }
        reject(translateSshError(err, this.endpoint, config.ssh.readyTimeoutMs));
      });
      this.client.connect(base);
    });
  }

  private verify(blob: Buffer): boolean {
    const presented = describeKeyBlob(blob);
    this.presentedKey = presented;
    this.refusal = hostKeyRefusal(this.endpoint.name, describe(this.endpoint), this.host.hostKey, presented, this.opts.confirmFingerprint);
    return this.refusal === undefined;
  }

  /** Runs argv (each argument quoted) and collects its output; `input` is written to stdin. */
  exec(argv: readonly string[], input?: string): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      this.client.exec(shCommand(argv), (err, stream) => {
        if (err) return reject(new BurrowError('remote-command', `could not start "${argv[0]}" on ${this.endpoint.name}: ${err.message}`));
        const out = new StringDecoder('utf8');
        const errOut = new StringDecoder('utf8');
        let stdout = '';
        let stderr = '';
        let code: number | null = null;
        stream.on('data', (b: Buffer) => (stdout += out.write(b)));
        stream.stderr.on('data', (b: Buffer) => (stderr += errOut.write(b)));
        stream.on('exit', (c: number | null) => {
          if (typeof c === 'number') code = c;
        });
        stream.on('close', () => resolve({ code, stdout: stdout + out.end(), stderr: stderr + errOut.end() }));
        stream.end(input ?? '');
      });
    });
  }

  close(): void {
    this.client.end();
    this.client.destroy();
    this.jump?.close();
  }
}
