/**
 * The Burrow lab: real OpenSSH hosts for integration tests.
 *
 * Topology (from the article): the laptop (this process, root network
 * namespace) can SSH to a source host, a destination host and a proxy (jump)
 * host; the proxy can reach the source; the source and the destination can
 * answer connections but never initiate one.
 *
 * - netns mode (root): one network namespace, veth link, system user and
 *   sshd per host, nftables rules for the one-way arrows.
 * - loopback mode (anyone): one sshd per host on 127.0.0.1, running as the
 *   current user; no isolation.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { Host, type HostSpec } from './host';
import { labParentDir, ownerFields, registerActiveLab, sweepStaleLabs, teardownSync, unregisterActiveLab, writeManifest, type LabManifest } from './lab-state';
import { LAB_PREFIX, netnsName, netnsUnavailableReason, planNetwork, setupNetwork, teardownNetwork } from './network';
import { killTree, processesInNetns } from './proc';
import { run } from './run';
import { generateKey, readPublicKeyLine } from './ssh-keys';
import type { HostRole, Lab, LabMode, LabOptions } from './types';
import { createUser, deleteUser, passwdEntry, setPassword } from './users';

export type { ExecResult, HostExecOptions, HostRole, Lab, LabHost, LabMode, LabOptions } from './types';
export { netnsUnavailableReason } from './network';
export { waitFor } from './wait-for';

const ROLES: HostRole[] = ['source', 'destination', 'proxy'];
const USER_SUFFIX: Record<HostRole, string> = { source: 'src', destination: 'dst', proxy: 'prx' };
const HOME_DIRS: Record<HostRole, string[]> = { source: ['data', 'holding', 'tmp'], destination: ['backups', 'tmp'], proxy: ['tmp'] };

/** Name of the system user of `role` in lab `id` (netns mode). */
export function labUserName(id: string, role: HostRole): string {
  return `${LAB_PREFIX}${id}${USER_SUFFIX[role]}`;
}

/** Every name the lab with `id` may create, for leak checks in tests. */
export function labResourceNames(id: string): { netns: string[]; users: string[]; dir: string } {
  return {
    netns: ROLES.map((r) => netnsName(id, r)),
    users: ROLES.map((r) => labUserName(id, r)),
    dir: join(labParentDir(), `burrow-lab-${id}`),
  };
}

/** Error thrown by {@link startLab}; everything it had created is already removed. */
export class LabStartError extends Error {
  constructor(
    message: string,
    readonly labId: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LabStartError';
  }
}

/**
 * The mode startLab would use for `requested` (option, then env BURROW_LAB_MODE,
 * then auto-detection). Throws when netns is requested but unavailable.
 */
export async function resolveLabMode(requested: LabOptions['mode']): Promise<LabMode> {
  let mode = requested ?? 'auto';
  const env = process.env.BURROW_LAB_MODE;
  if (mode === 'auto' && env) {
    if (env !== 'netns' && env !== 'loopback' && env !== 'auto') {
      throw new Error(`BURROW_LAB_MODE must be netns, loopback or auto, not ${JSON.stringify(env)}`);
    }
    mode = env;
  }
  const reason = mode === 'loopback' ? undefined : await netnsUnavailableReason();
  if (mode === 'netns' && reason) throw new Error(`netns lab mode requested but unavailable: ${reason}`);
  if (mode === 'auto') return reason ? 'loopback' : 'netns';
  return mode;
}

let pidnsPrefix: Promise<string[]> | undefined;

/**
 * Command prefix that runs a program as the init of a new PID namespace, so
 * that killing it takes every descendant along (even re-parented ones). Root
 * uses `unshare --pid`; others need a user namespace as well. Empty when
 * neither works, or when env BURROW_LAB_NO_PIDNS=1 (then sshd runs directly and
 * kill() freezes and kills the process tree found in /proc).
 */
function pidNamespacePrefix(): Promise<string[]> {
  pidnsPrefix ??= (async () => {
    if (process.env.BURROW_LAB_NO_PIDNS === '1') return [];
    const base = ['unshare', '--pid', '--fork', '--kill-child', '--'];
    const prefix = process.getuid?.() === 0 ? base : ['unshare', '--user', '--map-current-user', ...base.slice(1)];
    const r = await run([...prefix, 'true']).catch(() => undefined);
    return r?.code === 0 ? prefix : [];
  })();
  return pidnsPrefix;
}

/** A free TCP port on 127.0.0.1 (bind port 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function reserveLabDir(): Promise<{ id: string; dir: string }> {
  const parent = labParentDir();
  for (let attempt = 0; attempt < 100; attempt++) {
    const id = randomBytes(2).toString('hex');
    const names = labResourceNames(id);
    if (names.netns.some((n) => existsSync(`/run/netns/${n}`))) continue;
    if (names.users.some((u) => passwdEntry(u))) continue;
    try {
      await mkdir(names.dir, { mode: 0o755 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
    await chmod(names.dir, 0o755);
    return { id, dir: names.dir };
  }
  throw new Error(`could not find an unused lab id in ${parent}`);
}

/** Await every promise (so nothing is still creating resources) and rethrow the first failure. */
async function allSettledOrThrow<T>(promises: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

class LabImpl implements Lab {
  source!: Host;
  destination!: Host;
  proxy!: Host;
  sourceAddressFromProxy = '127.0.0.1';
  clientKey = { privateKeyPath: '', publicKeyLine: '' };
  readonly hosts: Host[] = [];
  private stopping: Promise<void> | undefined;

  constructor(
    readonly id: string,
    readonly mode: LabMode,
    readonly dir: string,
    readonly manifest: LabManifest,
  ) {}

  stop(): Promise<void> {
    this.stopping ??= this.teardown();
    return this.stopping;
  }

  private async teardown(): Promise<void> {
    const problems: string[] = [];
    const note = (what: string) => (e: unknown) => void problems.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
    try {
      for (const p of await Promise.all(this.hosts.map((h) => h.dispose()))) problems.push(...p);
      // Whatever else still runs inside a namespace (commands started with exec()).
      await Promise.all(
        this.manifest.netns.flatMap((ns) =>
          processesInNetns(ns)
            .filter((p) => p.pid !== process.pid)
            .map((p) => killTree(p.pid).catch(note(`kill ${p.pid} in ${ns}`))),
        ),
      );
      problems.push(...(await teardownNetwork(this.manifest.netns, this.manifest.rootVeths)));
      for (const user of this.manifest.users) await deleteUser(user).catch(note(`userdel ${user}`));
      await rm(this.dir, { recursive: true, force: true }).catch(note(`rm ${this.dir}`));
    } catch (err) {
      note('stop')(err);
      teardownSync(this.manifest);
    }
    unregisterActiveLab(this.id);
    if (problems.length > 0) console.warn(`burrow lab ${this.id}: stop() could not clean up everything:\n${problems.join('\n')}`);
  }

  /** Synchronous last-resort teardown for exit handlers. */
  teardownSync(): void {
    for (const h of this.hosts) h.killSync();
    teardownSync(this.manifest);
  }
}

/**
 * Start a lab: three sshd hosts and a laptop key pair. If anything fails, all
 * that was created is removed and a {@link LabStartError} is thrown.
 */
export async function startLab(opts: LabOptions = {}): Promise<Lab> {
  const mode = await resolveLabMode(opts.mode);
  try {
    sweepStaleLabs();
  } catch {
    // a failed sweep must not prevent a new lab
  }
  const isRoot = process.getuid?.() === 0;
  const { id, dir } = await reserveLabDir();
  const manifest: LabManifest = { id, mode, dir, ...ownerFields(), netns: [], rootVeths: [], users: [] };
  const lab = new LabImpl(id, mode, dir, manifest);
  registerActiveLab(id, () => lab.teardownSync());
  try {
    writeManifest(manifest);
    if (isRoot) await mkdir('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privsep dir
    await mkdir(join(dir, 'laptop'), { mode: 0o755 });
    const privateKeyPath = join(dir, 'laptop', 'id_ed25519');
    const clientKeyDone = generateKey(privateKeyPath, `burrow-lab-${id}-laptop`);
    const pidnsPrefix = await pidNamespacePrefix();
    const specs = await allSettledOrThrow([clientKeyDone.then(() => undefined), mode === 'netns' ? netnsSpecs(lab, opts) : loopbackSpecs(lab)]).then(
      (r) => r[1]!,
    );
    lab.clientKey = { privateKeyPath, publicKeyLine: await readPublicKeyLine(`${privateKeyPath}.pub`) };
    for (const role of ROLES) {
      const spec = specs[role];
      const host = new Host({
        ...spec,
        role,
        mode,
        hostDir: join(dir, role),
        pidnsPrefix,
        passwordAuth: opts.passwordAuth !== undefined,
        extraLines: opts.sshdExtra?.[role] ?? [],
        homeDirs: HOME_DIRS[role],
        clientPublicKeyLine: lab.clientKey.publicKeyLine,
      });
      lab.hosts.push(host);
      lab[role] = host;
    }
    await allSettledOrThrow(lab.hosts.map((h) => h.prepare().then(() => h.start())));
    return lab;
  } catch (err) {
    await lab.stop();
    const message = err instanceof Error ? err.message : String(err);
    throw new LabStartError(`startLab (lab ${id}, ${mode} mode) failed: ${message}`, id, { cause: err });
  }
}

type PartialSpec = Pick<HostSpec, 'home' | 'user' | 'uid' | 'gid' | 'address' | 'listenAddresses' | 'port' | 'netns' | 'laptopAddress' | 'pickPort'>;

async function netnsSpecs(lab: LabImpl, opts: LabOptions): Promise<Record<HostRole, PartialSpec>> {
  const { id, dir, manifest } = lab;
  const plan = await planNetwork(id);
  manifest.netns = ROLES.map((r) => plan.netns[r]);
  manifest.rootVeths = ROLES.map((r) => plan.rootVeth[r]);
  manifest.users = ROLES.map((r) => labUserName(id, r));
  writeManifest(manifest);
  lab.sourceAddressFromProxy = plan.proxyLink.sourceAddress;
  const homes = Object.fromEntries(ROLES.map((r) => [r, join(dir, r, 'home')])) as Record<HostRole, string>;
  const [, users] = await allSettledOrThrow<unknown>([setupNetwork(plan), allSettledOrThrow(ROLES.map((r) => createUser(labUserName(id, r), homes[r])))]);
  const created = users as Awaited<ReturnType<typeof createUser>>[];
  if (opts.passwordAuth) {
    for (const r of ROLES) await setPassword(labUserName(id, r), opts.passwordAuth.password);
  }
  const specs = {} as Record<HostRole, PartialSpec>;
  ROLES.forEach((role, i) => {
    const listen = [plan.hostAddress[role]];
    if (role === 'source') listen.push(plan.proxyLink.sourceAddress);
    specs[role] = {
      home: homes[role],
      user: labUserName(id, role),
      uid: created[i]!.uid,
      gid: created[i]!.gid,
      address: plan.hostAddress[role],
      listenAddresses: listen,
      port: 22,
      netns: plan.netns[role],
      laptopAddress: plan.laptopAddress[role],
    };
  });
  return specs;
}

async function loopbackSpecs(lab: LabImpl): Promise<Record<HostRole, PartialSpec>> {
  const me = userInfo();
  const specs = {} as Record<HostRole, PartialSpec>;
  for (const role of ROLES) {
    specs[role] = {
      home: join(lab.dir, role, 'home'),
      user: me.username,
      uid: me.uid,
      gid: me.gid,
      address: '127.0.0.1',
      listenAddresses: ['127.0.0.1'],
      port: await freePort(),
      pickPort: freePort,
    };
  }
  return specs;
}
