/**
 * One lab host: its files, its sshd process and the helpers tests use to look
 * inside it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canConnectFrom, holdPort, sshBannerSeen } from './net-probe';
import { killPidNamespace, killTree, killTreeSync, listProcesses, processTree } from './proc';
import { describeFailure, run, runOk, type ExecResult } from './run';
import { renderSshdConfig } from './sshd-config';
import { fingerprintOf, generateKey, readPublicKeyLine } from './ssh-keys';
import type { HostExecOptions, HostRole, LabHost, LabMode } from './types';

/** Absolute path of sshd: it refuses to re-exec itself otherwise. */
export const SSHD = '/usr/sbin/sshd';

/** Everything needed to set a host up. */
export interface HostSpec {
  role: HostRole;
  mode: LabMode;
  /** `<labdir>/<role>`: config, host key, pid file, log; the home dir lives below it. */
  hostDir: string;
  home: string;
  user: string;
  uid: number;
  gid: number;
  /** Address the laptop uses. */
  address: string;
  /** Every address sshd listens on. */
  listenAddresses: string[];
  port: number;
  netns?: string;
  /** The laptop's address on this host's link (netns mode). */
  laptopAddress?: string;
  /**
   * Command prefix that runs sshd as the init of its own PID namespace
   * (`unshare --pid --fork --kill-child --`, plus `--user --map-current-user`
   * when not root); empty when PID namespaces are unavailable.
   */
  pidnsPrefix: string[];
  passwordAuth: boolean;
  extraLines: string[];
  /** Directories to create in the home dir (owned by the user). */
  homeDirs: string[];
  clientPublicKeyLine: string;
  /** Pick another free port (loopback mode) when sshd cannot bind. */
  pickPort?: () => Promise<number>;
}

const START_TIMEOUT_MS = 15_000;

/** {@link LabHost} implementation. */
export class Host implements LabHost {
  readonly role: HostRole;
  readonly address: string;
  port: number;
  readonly user: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
  hostKeyLine = '';
  hostKeyFingerprint = '';
  readonly netns?: string;
  readonly laptopAddress?: string;
  readonly authorizedKeysPath: string;
  readonly configPath: string;
  readonly logPath: string;
  readonly hostKeyPath: string;
  private extraLines: string[];
  private child: ChildProcess | undefined;
  private childExited: Promise<void> = Promise.resolve();
  private initPid: number | undefined;
  private readonly occupied = new Set<() => Promise<void>>();

  constructor(private readonly spec: HostSpec) {
    this.role = spec.role;
    this.address = spec.address;
    this.port = spec.port;
    this.user = spec.user;
    this.uid = spec.uid;
    this.gid = spec.gid;
    this.home = spec.home;
    this.netns = spec.netns;
    this.laptopAddress = spec.laptopAddress;
    this.extraLines = [...spec.extraLines];
    this.authorizedKeysPath = join(spec.home, '.ssh', 'authorized_keys');
    this.configPath = join(spec.hostDir, 'sshd_config');
    this.logPath = join(spec.hostDir, 'sshd.log');
    this.hostKeyPath = join(spec.hostDir, 'ssh_host_ed25519_key');
  }

  /** Create the host's directories, host key and authorized_keys. */
  async prepare(): Promise<void> {
    const { hostDir, home } = this.spec;
    await mkdir(hostDir, { recursive: true, mode: 0o755 });
    await mkdir(join(home, '.ssh'), { recursive: true, mode: 0o700 });
    for (const d of this.spec.homeDirs) await mkdir(join(home, d), { recursive: true, mode: 0o755 });
    await writeFile(this.authorizedKeysPath, `${this.spec.clientPublicKeyLine}\n`, { mode: 0o600 });
    // mkdir's mode is filtered by the umask; StrictModes wants exact modes.
    await chmod(hostDir, 0o755);
    await chmod(home, 0o755);
    await chmod(join(home, '.ssh'), 0o700);
    await chmod(this.authorizedKeysPath, 0o600);
    if (this.spec.mode === 'netns') {
      for (const p of [home, join(home, '.ssh'), this.authorizedKeysPath, ...this.spec.homeDirs.map((d) => join(home, d))]) {
        await chown(p, this.uid, this.gid);
      }
    }
    await generateKey(this.hostKeyPath, `burrow-lab-${this.role}`);
    await this.loadHostKey();
  }

  private async loadHostKey(): Promise<void> {
    this.hostKeyLine = await readPublicKeyLine(`${this.hostKeyPath}.pub`);
    this.hostKeyFingerprint = fingerprintOf(this.hostKeyLine);
  }

  private renderConfig(extraLines: string[]): string {
    const netns = this.spec.mode === 'netns';
    return renderSshdConfig({
      role: this.role,
      port: this.port,
      listenAddresses: this.spec.listenAddresses,
      hostKeyPath: this.hostKeyPath,
      pidFile: join(this.spec.hostDir, 'sshd.pid'),
      user: this.user,
      authorizedKeysFile: netns ? '.ssh/authorized_keys' : this.authorizedKeysPath,
      strictModes: netns,
      permitRootLogin: this.user === 'root' ? 'prohibit-password' : 'no',
      passwordAuth: this.spec.passwordAuth,
      tmpDir: join(this.home, 'tmp'),
      extraLines,
    });
  }

  /** Write `config` to `path` and check it with `sshd -t -f`; throws with sshd's output. */
  private async writeValidConfig(path: string, config: string): Promise<void> {
    await writeFile(path, config, { mode: 0o644 });
    const argv = [SSHD, '-t', '-f', path];
    const r = await run(argv);
    if (r.code !== 0) throw new Error(`invalid sshd_config for ${this.role}: ${describeFailure(argv, r)}`);
  }

  private nsPrefix(): string[] {
    return this.netns ? ['ip', 'netns', 'exec', this.netns] : [];
  }

  sshdPid(): number | undefined {
    if (!this.child) return undefined;
    if (this.spec.pidnsPrefix.length === 0) return this.child.pid;
    if (this.initPid === undefined) {
      const parent = this.child.pid;
      this.initPid = listProcesses().find((p) => p.ppid === parent && p.state !== 'Z')?.pid;
    }
    return this.initPid;
  }

  async start(): Promise<void> {
    if (this.child) return;
    for (let attempt = 1; ; attempt++) {
      await this.writeValidConfig(this.configPath, this.renderConfig(this.extraLines));
      try {
        await this.spawnAndWait();
        return;
      } catch (err) {
        const busy = err instanceof Error && /Address already in use/.test(err.message);
        if (!busy || !this.spec.pickPort || attempt >= 5) throw err;
        this.port = await this.spec.pickPort();
      }
    }
  }

  private async spawnAndWait(): Promise<void> {
    const logOffset = await stat(this.logPath).then(
      (s) => s.size,
      () => 0,
    );
    const argv = [...this.nsPrefix(), ...this.spec.pidnsPrefix, SSHD, '-D', '-e', '-f', this.configPath];
    const fd = openSync(this.logPath, 'a', 0o644);
    let child: ChildProcess;
    try {
      child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    child.unref();
    let exitInfo: string | undefined;
    this.child = child;
    this.initPid = undefined;
    this.childExited = new Promise<void>((resolve) => {
      child.once('exit', (code, sig) => {
        exitInfo = sig ? `signal ${sig}` : `exit code ${String(code)}`;
        if (this.child === child) {
          this.child = undefined;
          this.initPid = undefined;
        }
        resolve();
      });
      child.once('error', (e) => {
        exitInfo = `spawn error ${e.message}`;
        resolve();
      });
    });
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (exitInfo !== undefined) {
        this.child = undefined;
        throw new Error(`sshd for ${this.role} ended during startup (${exitInfo}):\n${await this.logSince(logOffset)}`);
      }
      const log = await this.logSince(logOffset);
      if (log.includes('Server listening on') && (await sshBannerSeen(this.address, this.port, 1000))) break;
      if (Date.now() > deadline) {
        await this.kill().catch(() => undefined);
        throw new Error(`sshd for ${this.role} did not accept connections within ${START_TIMEOUT_MS} ms:\n${log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    if (this.spec.pidnsPrefix.length > 0 && this.sshdPid() === undefined) {
      throw new Error(`sshd for ${this.role} is listening but its process was not found under ${child.pid}`);
    }
  }

  private async logSince(offset: number): Promise<string> {
    const buf = await readFile(this.logPath).catch(() => Buffer.alloc(0));
    return buf.subarray(offset).toString('utf8');
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    // The child is unref'd while it runs; waiting for its exit must keep the
    // event loop alive, or a CLI awaiting stop() ends early (exit code 13).
    child.ref();
    const init = this.sshdPid();
    if (this.spec.pidnsPrefix.length > 0 && init !== undefined) {
      // sshd is the init of its PID namespace: the kernel kills and reaps all
      // of its descendants, even those that were re-parented to it.
      await killPidNamespace(init);
    } else if (child.pid !== undefined) {
      await killTree(child.pid);
    }
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await this.childExited;
    this.child = undefined;
    this.initPid = undefined;
  }

  /** Processes (pids) of this host's sshd and its descendants. */
  sshdProcessTree(): number[] {
    const pid = this.sshdPid();
    return pid === undefined ? [] : processTree(pid).map((p) => p.pid);
  }

  /** Synchronous SIGKILL of everything this host started (for exit handlers). */
  killSync(): void {
    const init = this.sshdPid();
    if (init !== undefined) killTreeSync(init);
    if (this.child?.pid !== undefined) killTreeSync(this.child.pid);
  }

  async rotateHostKey(): Promise<void> {
    const next = `${this.hostKeyPath}.next`;
    await generateKey(next, `burrow-lab-${this.role}`);
    const wasRunning = this.child !== undefined;
    await this.kill();
    await rename(next, this.hostKeyPath);
    await rename(`${next}.pub`, `${this.hostKeyPath}.pub`);
    await this.loadHostKey();
    if (wasRunning) await this.start();
  }

  async reconfigure(extraLines: string[]): Promise<void> {
    const next = `${this.configPath}.next`;
    await this.writeValidConfig(next, this.renderConfig(extraLines));
    const wasRunning = this.child !== undefined;
    await this.kill();
    await rename(next, this.configPath);
    this.extraLines = [...extraLines];
    if (wasRunning) await this.start();
  }

  exec(argv: string[], opts: HostExecOptions = {}): Promise<ExecResult> {
    return run([...this.nsPrefix(), ...argv], opts);
  }

  execAsUser(argv: string[], opts: HostExecOptions = {}): Promise<ExecResult> {
    if (this.spec.mode === 'loopback') return run(argv, { ...opts, cwd: this.home });
    const env = { ...process.env, HOME: this.home, USER: this.user, LOGNAME: this.user };
    return run([...this.nsPrefix(), 'runuser', '-u', this.user, '--', ...argv], { ...opts, cwd: this.home, env });
  }

  async own(path: string): Promise<void> {
    if (this.spec.mode === 'loopback') return;
    await runOk(['chown', '-R', `${this.uid}:${this.gid}`, path]);
  }

  canConnect(address: string, port: number, timeoutMs = 2000): Promise<boolean> {
    return canConnectFrom(this.nsPrefix(), address, port, timeoutMs);
  }

  async occupyPort(port: number): Promise<() => Promise<void>> {
    const release = await holdPort(this.nsPrefix(), port);
    let done: Promise<void> | undefined;
    const tracked = (): Promise<void> => {
      done ??= release().finally(() => this.occupied.delete(tracked));
      return done;
    };
    this.occupied.add(tracked);
    return tracked;
  }

  async listeningPorts(): Promise<number[]> {
    const argv = ['ss', '-Hltn'];
    const r = await this.exec(argv);
    if (r.code !== 0) throw new Error(describeFailure(argv, r));
    const ports = new Set<number>();
    for (const line of r.stdout.split('\n')) {
      const local = line.trim().split(/\s+/)[3];
      const m = local ? /:(\d+)$/.exec(local) : null;
      if (m) ports.add(Number(m[1]));
    }
    return [...ports].sort((a, b) => a - b);
  }

  /** Stop sshd and release occupied ports; never throws, returns problems. */
  async dispose(): Promise<string[]> {
    const problems: string[] = [];
    await Promise.all([...this.occupied].map((release) => release().catch((e: unknown) => void problems.push(`${this.role}: release port: ${String(e)}`))));
    await this.kill().catch((e: unknown) => void problems.push(`${this.role}: kill sshd: ${String(e)}`));
    return problems;
  }
}
