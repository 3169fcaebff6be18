/**
 * Tests of the lab itself, against real sshd processes: a lab in the mode
 * auto-detection picks (netns when root), the same assertions with a forced
 * loopback lab, and startLab's options and failure handling.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  labResourceNames,
  LabStartError,
  netnsUnavailableReason,
  resolveLabMode,
  startLab,
  type Lab,
  type LabHost,
  type LabMode,
} from '../../electron/lab/lab';
import { sweepStaleLabs } from '../../electron/lab/lab-state';
import { tcpConnects } from '../../electron/lab/net-probe';
import { cmdlineOf, isAlive, processesInNetns, processesMentioning, processTree } from '../../electron/lab/proc';
import { run } from '../../electron/lab/run';
import { endpointOf, runSsh, sshArgv, type SshEndpoint } from '../../electron/lab/ssh-client';
import { exitOf, greeter, knownHostsFile, pinOf, READ_SCRIPT, spawnSsh, unusedPort, type Pin } from './test-helpers';
import { waitFor } from '../../electron/lab/wait-for';

const autoMode = await resolveLabMode('auto');
const netnsSkipReason = autoMode === 'netns' ? undefined : `lab runs in loopback mode: ${(await netnsUnavailableReason()) ?? 'BURROW_LAB_MODE=loopback'}`;
if (netnsSkipReason) console.warn(`[lab.test] netns-only tests are skipped: ${netnsSkipReason}`);

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'burrow-lab-test-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** A known_hosts file in the scratch dir pinning the given (address, port, key) triples. */
const knownHosts = (...pins: Pin[]): Promise<string> => knownHostsFile(scratch, ...pins);

function labSuite(title: string, mode: 'auto' | 'loopback', expected: LabMode): void {
  describe(title, () => {
    let lab: Lab;
    const hosts = (): LabHost[] => [lab.source, lab.destination, lab.proxy];
    const sshOpts = (knownHostsPath: string) => ({ privateKeyPath: lab.clientKey.privateKeyPath, knownHostsPath });

    beforeAll(async () => {
      const t0 = performance.now();
      lab = await startLab({ mode });
      console.info(`[lab.test] ${lab.mode} lab ${lab.id} started in ${Math.round(performance.now() - t0)} ms`);
    });
    afterAll(async () => {
      await lab?.stop();
    });

    it(`runs in ${expected} mode with each host's files in place`, async () => {
      expect(lab.mode).toBe(expected);
      for (const host of hosts()) {
        expect(host.home.startsWith(`${lab.dir}/`)).toBe(true);
        expect(readFileSync(host.authorizedKeysPath, 'utf8')).toContain(lab.clientKey.publicKeyLine);
        expect(host.hostKeyLine).toMatch(/^ssh-ed25519 [A-Za-z0-9+/=]+$/);
        const pid = host.sshdPid();
        expect(pid !== undefined && isAlive(pid)).toBe(true);
        expect(readFileSync(`/proc/${pid}/comm`, 'utf8').trim()).toBe('sshd');
        const pub = join(scratch, `${host.role}-${lab.id}.pub`);
        await writeFile(pub, `${host.hostKeyLine}\n`);
        const fp = await run(['ssh-keygen', '-lf', pub]);
        expect(fp.stdout.split(' ')[1]).toBe(host.hostKeyFingerprint);
      }
      const dirs: [LabHost, string][] = [
        [lab.source, 'data'],
        [lab.source, 'holding'],
        [lab.destination, 'backups'],
      ];
      for (const [host, dir] of dirs) {
        const st = await stat(join(host.home, dir));
        expect(st.isDirectory()).toBe(true);
        expect(st.uid).toBe(host.uid);
      }
      expect(new Set(hosts().map((h) => h.hostKeyLine)).size).toBe(3);
    });

    it('lets the laptop ssh to each host with the client key and the pinned host key', async () => {
      await Promise.all(
        hosts().map(async (host) => {
          const r = await runSsh(endpointOf(host), ['id', '-un'], sshOpts(await knownHosts(pinOf(host))));
          expect(r.code, r.stderr).toBe(0);
          expect(r.stdout.trim()).toBe(host.user);
        }),
      );
    });

    it('refuses a host whose key does not match the pin', async () => {
      const wrongPin = await knownHosts([lab.source.address, lab.source.port, lab.destination.hostKeyLine]);
      const r = await runSsh(endpointOf(lab.source), ['true'], sshOpts(wrongPin));
      expect(r.code).toBe(255);
      expect(r.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
    });

    it('reaches the source through the proxy', async () => {
      const target: SshEndpoint = { address: lab.sourceAddressFromProxy, port: lab.source.port, user: lab.source.user };
      const kh = await knownHosts(pinOf(lab.proxy), [target.address, target.port, lab.source.hostKeyLine]);
      const r = await runSsh(target, ['id -un; echo $SSH_CONNECTION'], { ...sshOpts(kh), jump: endpointOf(lab.proxy) });
      expect(r.code, r.stderr).toBe(0);
      const [user, connection] = r.stdout.trim().split('\n');
      expect(user).toBe(lab.source.user);
      const [clientIp, , serverIp] = (connection ?? '').split(' ');
      expect(serverIp).toBe(lab.sourceAddressFromProxy);
      if (lab.mode === 'netns') expect(clientIp).not.toBe(lab.source.laptopAddress);
    });

    it('runs commands as root or as the host user, and own() hands files over', async () => {
      const host = lab.source;
      const asUser = await host.execAsUser(['sh', '-c', 'id -un; pwd']);
      expect(asUser.code, asUser.stderr).toBe(0);
      expect(asUser.stdout.trim().split('\n')).toEqual([host.user, host.home]);
      const file = join(host.home, 'data', `made-by-exec-${lab.id}`);
      const made = await host.exec(['sh', '-c', `echo hi > '${file}'`]);
      expect(made.code, made.stderr).toBe(0);
      await host.own(join(host.home, 'data'));
      expect((await stat(file)).uid).toBe(host.uid);
      const fed = await host.execAsUser(['cat'], { input: 'through stdin' });
      expect(fed.stdout).toBe('through stdin');
      if (lab.mode === 'netns') {
        const addrs = await host.exec(['ip', '-o', '-4', 'addr']);
        expect(addrs.stdout).toContain(`inet ${host.address}/30`);
        expect(addrs.stdout).not.toContain(`inet ${lab.destination.address}/`);
        expect((await host.exec(['id', '-un'])).stdout.trim()).toBe('root');
      }
    });

    it('occupyPort shows up in listeningPorts until released', async () => {
      const host = lab.destination;
      const port = await unusedPort(host);
      const before = await host.listeningPorts();
      expect(before).toContain(host.port);
      expect(before).not.toContain(port);
      const release = await host.occupyPort(port);
      expect(await host.listeningPorts()).toContain(port);
      expect(await host.canConnect('127.0.0.1', port)).toBe(true);
      await expect(host.occupyPort(port)).rejects.toThrow(/EADDRINUSE/);
      await release();
      expect(await host.listeningPorts()).not.toContain(port);
    });

    it("relays a reverse port forward from the source's loopback to the laptop, and fails when the port is taken", async () => {
      const src = lab.source;
      const kh = await knownHosts(pinOf(src));
      const laptop = await greeter('127.0.0.1', 'hello from the laptop\n');
      const port = await unusedPort(src);
      const forward = ['-o', 'ExitOnForwardFailure=yes', '-R', `127.0.0.1:${port}:127.0.0.1:${laptop.port}`];
      try {
        const client = spawnSsh(sshArgv(endpointOf(src), ['sleep 60'], { ...sshOpts(kh), extraArgs: forward }));
        const exited = exitOf(client);
        try {
          await waitFor(async () => (await src.listeningPorts()).includes(port), {
            timeoutMs: 15_000,
            what: `sshd on the source to listen on 127.0.0.1:${port}`,
          });
          const read = await src.exec([process.execPath, '-e', READ_SCRIPT, String(port)]);
          expect(read.code, read.stderr).toBe(0);
          expect(read.stdout).toBe('hello from the laptop\n');
        } finally {
          client.kill('SIGTERM');
          await exited;
        }
        await waitFor(async () => !(await src.listeningPorts()).includes(port), {
          timeoutMs: 15_000,
          what: `the forwarded port ${port} to close`,
        });
        const release = await src.occupyPort(port);
        try {
          const r = await runSsh(endpointOf(src), ['true'], { ...sshOpts(kh), extraArgs: forward });
          expect(r.code).toBe(255);
          expect(r.stderr).toMatch(/remote port forwarding failed/);
        } finally {
          await release();
        }
      } finally {
        laptop.server.close();
      }
    });

    it('reconfigure applies extra lines (overriding defaults) and rejects invalid ones', async () => {
      const dst = lab.destination;
      const kh = await knownHosts(pinOf(dst));
      const forward = ['-o', 'ExitOnForwardFailure=yes', '-R', '127.0.0.1:0:127.0.0.1:9'];
      await dst.reconfigure(['AllowTcpForwarding no']);
      const refused = await runSsh(endpointOf(dst), ['true'], { ...sshOpts(kh), extraArgs: forward });
      expect(refused.code).toBe(255);
      expect(refused.stderr).toMatch(/remote port forwarding failed/);
      const pid = dst.sshdPid();
      await expect(dst.reconfigure(['NoSuchSshdOption yes'])).rejects.toThrow(/NoSuchSshdOption/);
      expect(dst.sshdPid()).toBe(pid);
      await dst.reconfigure([]);
      const allowed = await runSsh(endpointOf(dst), ['true'], { ...sshOpts(kh), extraArgs: forward });
      expect(allowed.code, allowed.stderr).toBe(0);
    });

    it('rotateHostKey changes the key and ssh refuses the old pin', async () => {
      const host = lab.proxy;
      const oldLine = host.hostKeyLine;
      const oldFingerprint = host.hostKeyFingerprint;
      const oldPin = await knownHosts(pinOf(host));
      await host.rotateHostKey();
      expect(host.hostKeyLine).not.toBe(oldLine);
      expect(host.hostKeyFingerprint).not.toBe(oldFingerprint);
      const stale = await runSsh(endpointOf(host), ['true'], sshOpts(oldPin));
      expect(stale.code).toBe(255);
      expect(stale.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED/);
      const fresh = await runSsh(endpointOf(host), ['id', '-un'], sshOpts(await knownHosts(pinOf(host))));
      expect(fresh.code, fresh.stderr).toBe(0);
      expect(fresh.stdout.trim()).toBe(host.user);
    });

    it('kill() ends sshd and its sessions; start() brings it back', async () => {
      const host = lab.source;
      const kh = await knownHosts(pinOf(host));
      const marker = `sleep 987.${lab.id.charCodeAt(0)}`;
      const client = spawnSsh(sshArgv(endpointOf(host), [marker], sshOpts(kh)));
      const exited = exitOf(client);
      try {
        const session = () => processTree(host.sshdPid() ?? -1).find((p) => cmdlineOf(p.pid) === marker);
        await waitFor(() => session() !== undefined, { timeoutMs: 15_000, what: `\`${marker}\` to run under sshd` });
        const tree = processTree(host.sshdPid()!);
        // listener -> connection process(es) -> sleep
        expect(tree.filter((p) => p.comm === 'sshd').length).toBeGreaterThanOrEqual(2);
        expect(session()!.ppid).not.toBe(host.sshdPid());
        await host.kill();
        expect(host.sshdPid()).toBeUndefined();
        expect(tree.filter((p) => isAlive(p.pid)).map((p) => `${p.pid} ${p.comm}`)).toEqual([]);
        if (host.netns) {
          expect(processesInNetns(host.netns).filter((p) => p.comm === 'sshd')).toEqual([]);
        } else {
          expect(processesMentioning(`${lab.dir}/${host.role}/`)).toEqual([]);
        }
        expect(await exited).toBe(255);
        expect(await tcpConnects(host.address, host.port, 1000)).toBe(false);
      } finally {
        client.kill('SIGKILL');
      }
      await host.start();
      expect(isAlive(host.sshdPid()!)).toBe(true);
      const r = await runSsh(endpointOf(host), ['id', '-un'], sshOpts(kh));
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe(host.user);
    });

    if (mode === 'auto') {
      it.skipIf(netnsSkipReason !== undefined)('source and destination can answer but never initiate; the proxy can', async () => {
        const laptop = await greeter('0.0.0.0', 'hi\n');
        try {
          const { source: src, destination: dst, proxy } = lab;
          const [laptopToDst, srcToDst, srcToLaptop, dstToLaptop, dstToSrc, proxyToLaptop, proxyToSrc, srcToSelf] = await Promise.all([
            tcpConnects(dst.address, dst.port, 2000),
            src.canConnect(dst.address, dst.port),
            src.canConnect(src.laptopAddress!, laptop.port),
            dst.canConnect(dst.laptopAddress!, laptop.port),
            dst.canConnect(src.address, src.port),
            proxy.canConnect(proxy.laptopAddress!, laptop.port),
            proxy.canConnect(lab.sourceAddressFromProxy, src.port),
            src.canConnect(src.address, src.port),
          ]);
          expect({ laptopToDst, proxyToLaptop, proxyToSrc, srcToSelf }).toEqual({
            laptopToDst: true,
            proxyToLaptop: true,
            proxyToSrc: true,
            srcToSelf: true,
          });
          expect({ srcToDst, srcToLaptop, dstToLaptop, dstToSrc }).toEqual({
            srcToDst: false,
            srcToLaptop: false,
            dstToLaptop: false,
            dstToSrc: false,
          });
        } finally {
          laptop.server.close();
        }
      });
    }

    it('stop() removes sshd processes, namespaces, users and the lab dir', async () => {
      const names = labResourceNames(lab.id);
      const pids = hosts().flatMap((h) => processTree(h.sshdPid() ?? -1).map((p) => p.pid));
      expect(pids.length).toBeGreaterThanOrEqual(3);
      if (lab.mode === 'netns') {
        expect(names.netns.every((ns) => existsSync(`/run/netns/${ns}`))).toBe(true);
      }
      const t0 = performance.now();
      await lab.stop();
      console.info(`[lab.test] ${lab.mode} lab ${lab.id} stopped in ${Math.round(performance.now() - t0)} ms`);
      await lab.stop(); // idempotent
      expect(pids.filter((pid) => isAlive(pid))).toEqual([]);
      expect(existsSync(lab.dir)).toBe(false);
      const netnsList = (await run(['ip', 'netns', 'list'])).stdout;
      for (const ns of names.netns) expect(netnsList).not.toContain(ns);
      const passwd = readFileSync('/etc/passwd', 'utf8');
      for (const user of names.users) expect(passwd).not.toContain(`${user}:`);
      expect(processesMentioning(`${lab.dir}/`)).toEqual([]);
    });
  });
}

labSuite(`lab (auto mode: ${autoMode})`, 'auto', autoMode);
labSuite('lab (forced loopback mode)', 'loopback', 'loopback');

describe('startLab options', () => {
  it('removes everything it created when sshd rejects the configuration', async () => {
    const err: unknown = await startLab({ sshdExtra: { proxy: ['NoSuchSshdOption yes'] } }).then(
      async (lab) => {
        await lab.stop();
        return new Error('startLab unexpectedly succeeded');
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LabStartError);
    const { labId, message } = err as LabStartError;
    expect(message).toMatch(/NoSuchSshdOption/);
    const names = labResourceNames(labId);
    expect(existsSync(names.dir)).toBe(false);
    for (const ns of names.netns) expect(existsSync(`/run/netns/${ns}`)).toBe(false);
    const passwd = readFileSync('/etc/passwd', 'utf8');
    for (const user of names.users) expect(passwd).not.toContain(`${user}:`);
    expect(processesMentioning(`${names.dir}/`)).toEqual([]);
  });

  it.skipIf(netnsSkipReason !== undefined)('passwordAuth sets a password that sshd accepts', async () => {
    const password = `pw-${Math.random().toString(36).slice(2)}`;
    const lab = await startLab({ passwordAuth: { password } });
    try {
      const host = lab.destination;
      const kh = await knownHosts(pinOf(host));
      const login = async (pw: string) => {
        const askpass = join(scratch, `askpass-${pw.length}-${Date.now()}`);
        await writeFile(askpass, `#!/bin/sh\necho '${pw}'\n`);
        await chmod(askpass, 0o755);
        const argv = ['ssh', '-F', '/dev/null', '-o', `UserKnownHostsFile=${kh}`, '-o', 'GlobalKnownHostsFile=/dev/null'];
        argv.push('-o', 'StrictHostKeyChecking=yes', '-o', 'PubkeyAuthentication=no', '-o', 'PreferredAuthentications=password');
        argv.push('-o', 'NumberOfPasswordPrompts=1', '-p', String(host.port), `${host.user}@${host.address}`, 'id', '-un');
        const env = { ...process.env, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force' };
        return run(argv, { env, timeoutMs: 30_000 });
      };
      const good = await login(password);
      expect(good.code, good.stderr).toBe(0);
      expect(good.stdout.trim()).toBe(host.user);
      const bad = await login(`${password}-wrong`);
      expect(bad.code).toBe(255);
      expect(bad.stderr).toMatch(/Permission denied/);
    } finally {
      await lab.stop();
    }
  });
});

describe('lab robustness', () => {
  it('waitFor polls until the condition holds and reports what it waited for', async () => {
    let n = 0;
    await waitFor(() => ++n >= 3, { timeoutMs: 5_000, intervalMs: 1, what: 'three polls' });
    expect(n).toBe(3);
    await expect(waitFor(() => false, { timeoutMs: 30, what: 'nothing' })).rejects.toThrow('Timed out after 30 ms waiting for nothing');
  });

  it('sweeps the lab of a process that was SIGKILLed before it could stop it', async () => {
    const script = join(scratch, 'orphan-lab.mts');
    const labModule = fileURLToPath(new URL('../../electron/lab/lab.ts', import.meta.url));
    await writeFile(
      script,
      `import { startLab } from ${JSON.stringify(labModule)};\n` +
        `const lab = await startLab();\n` +
        `process.stdout.write(JSON.stringify({ id: lab.id, dir: lab.dir }) + '\\n');\n` +
        `setInterval(() => undefined, 1000);\n`,
    );
    const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = exitOf(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    try {
      await waitFor(() => out.includes('\n') || child.exitCode !== null, { timeoutMs: 30_000, what: 'the child to start a lab' });
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    expect(out, err).toContain('"id"');
    const { id, dir } = JSON.parse(out) as { id: string; dir: string };
    expect(existsSync(dir)).toBe(true);
    expect(processesMentioning(`${dir}/`).length).toBeGreaterThanOrEqual(3); // its sshd processes outlive it
    expect(sweepStaleLabs()).toContain(id);
    const names = labResourceNames(id);
    expect(existsSync(dir)).toBe(false);
    await waitFor(() => processesMentioning(`${dir}/`).length === 0, { timeoutMs: 5_000, what: 'orphaned sshd to die' });
    for (const ns of names.netns) expect(existsSync(`/run/netns/${ns}`)).toBe(false);
    const passwd = readFileSync('/etc/passwd', 'utf8');
    for (const user of names.users) expect(passwd).not.toContain(`${user}:`);
  });
});
