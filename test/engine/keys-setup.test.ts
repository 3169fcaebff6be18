/**
 * From a host that only takes a password to a backup with Burrow's own key:
 * a store key is generated (encrypted), installed with the password once
 * (host key checked first), logs in, and carries a whole backup run; no
 * private key ever reaches the source. Also: first contact and a changed
 * host key stop the install before any password is sent, the CLI pins a
 * confirmed first contact, and a host without rrsync gets no destination key.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BurrowConfig } from '../../shared/config-schema';
import { ManualClock } from '../../shared/clock';
import type { RunEvent } from '../../shared/run-types';
import { keysCommand } from '../../electron/cli/commands/keys';
import type { CommandContext } from '../../electron/cli/main';
import { BackupRun } from '../../electron/engine/backup-run';
import { parseConfigText } from '../../electron/engine/config-file';
import { installKey } from '../../electron/engine/keys/install-key';
import { KeyStore } from '../../electron/engine/keys/key-store';
import { StoreAgentProvider } from '../../electron/engine/keys/store-agent-provider';
import { SshSession } from '../../electron/engine/ssh/ssh-session';
import { netnsUnavailableReason, startLab, type Lab, type LabHost } from '../../electron/lab/lab';
import { day, labConfig, writeSampleTree } from './fixtures';

const skip = await netnsUnavailableReason();
if (skip) console.warn(`[keys-setup] skipped: the netns lab is unavailable (${skip})`);
const password = `pw-${randomBytes(8).toString('hex')}`;
const passphrase = `pp-${randomBytes(8).toString('hex')}`;
let lab: Lab;
let store: KeyStore;

beforeAll(async () => {
  if (skip) return;
  // netns only: in loopback mode every lab host is the current user, and an install would edit the real ~/.ssh.
  lab = await startLab({ mode: 'netns', passwordAuth: { password } });
  store = new KeyStore({ dir: join(lab.dir, 'laptop', 'keys') });
});
afterAll(() => lab?.stop());

type HostOverrides = Partial<Record<'source' | 'destination' | 'proxy', Record<string, unknown>>>;

/** The lab's hosts logging in with store key `burrow:lab`, pinned unless overridden (hostKey: undefined = no pin). */
function storeConfig(overrides: HostOverrides = {}): BurrowConfig {
  const host = (h: LabHost, role: keyof HostOverrides) => {
    const entry: Record<string, unknown> = {
      hostname: h.address,
      port: h.port,
      user: h.user,
      identityFile: 'burrow:lab',
      hostKey: h.hostKeyLine,
      ...overrides[role],
    };
    if (entry.hostKey === undefined) delete entry.hostKey;
    return entry;
  };
  return labConfig(
    lab,
    {},
    { hosts: { source: host(lab.source, 'source'), destination: host(lab.destination, 'destination'), proxy: host(lab.proxy, 'proxy') } },
  );
}

function sshdLog(role: 'source' | 'destination' | 'proxy'): string {
  return readFileSync(join(lab.dir, role, 'sshd.log'), 'utf8');
}
const passwordAttempts = (role: 'source' | 'destination' | 'proxy') => (sshdLog(role).match(/(Accepted|Failed) password/g) ?? []).length;

describe.skipIf(skip !== undefined)('setting up a password-only host with a store key', () => {
  it('installs the key with the password, logs in with it, and runs a backup; no private key lands on the source', async () => {
    // Fresh hosts: no ~/.ssh at all, so nothing but the password gets in.
    for (const h of [lab.source, lab.destination]) rmSync(join(h.home, '.ssh'), { recursive: true, force: true });
    const key = await store.generate('lab', { passphrase });
    const locked = new StoreAgentProvider({ store });
    await expect(SshSession.open({ config: storeConfig(), hostName: 'source', agents: locked })).rejects.toThrow(
      'key lab is encrypted: wrong or missing passphrase',
    );
    await store.unlock('lab', passphrase);
    const agents = new StoreAgentProvider({ store });
    await expect(SshSession.open({ config: storeConfig(), hostName: 'source', agents })).rejects.toMatchObject({ kind: 'auth' });

    for (const name of ['source', 'destination'] as const) {
      const r = await installKey({ config: storeConfig(), hostName: name, publicKeyLine: key.publicKeyLine, password });
      expect(r.outcome).toBe('added');
      expect(r.firstContact).toBe(false);
      const again = await installKey({ config: storeConfig(), hostName: name, publicKeyLine: key.publicKeyLine, password });
      expect(again.outcome).toBe('present');
      const host = lab[name];
      expect(statSync(join(host.home, '.ssh')).mode & 0o777).toBe(0o700);
      expect(statSync(host.authorizedKeysPath).mode & 0o777).toBe(0o600);
      expect(statSync(host.authorizedKeysPath).uid).toBe(host.uid);
      const lines = readFileSync(host.authorizedKeysPath, 'utf8').split('\n').filter(Boolean);
      expect(lines).toEqual([key.publicKeyLine]);
    }

    const session = await SshSession.open({ config: storeConfig(), hostName: 'source', agents });
    const who = await session.run(['id', '-un'], 'id');
    session.close();
    expect(who.stdout.trim()).toBe(lab.source.user);

    const data = join(lab.source.home, 'data');
    rmSync(data, { recursive: true, force: true });
    mkdirSync(data, { recursive: true });
    writeSampleTree(join(data, 'projects'), 7);
    await lab.source.own(data);
    const config = storeConfig();
    const events: RunEvent[] = [];
    const run = new BackupRun({ config, job: config.jobs[0]!, agents, clock: new ManualClock(day(0)) });
    run.on('event', (e) => events.push(e));
    const record = await run.start();
    expect(record.error).toBeUndefined();
    expect(record.status).toBe('succeeded');
    expect(record.verified?.length).toBe(1);

    const grep = await lab.source.exec(['grep', '-rlI', 'PRIVATE KEY', lab.source.home]);
    expect(grep.code, grep.stdout).toBe(1); // 1 = no match anywhere below the source's home
    const told = JSON.stringify({ record, events });
    expect(told).not.toContain(password);
    expect(told).not.toContain(passphrase);
  });
});

describe.skipIf(skip !== undefined)('the host key comes before the password', () => {
  it('refuses a host without a pin unless its fingerprint is confirmed, and sends no password', async () => {
    const key = (await store.list()).find((k) => k.name === 'lab') ?? (await store.generate('lab', { passphrase }));
    const config = storeConfig({ proxy: { hostKey: undefined } });
    const before = passwordAttempts('proxy');
    const install = (confirmFingerprint?: string) =>
      installKey({ config, hostName: 'proxy', publicKeyLine: key.publicKeyLine, password, ...(confirmFingerprint ? { confirmFingerprint } : {}) });

    const unconfirmed = await install().catch((e: unknown) => e);
    expect(unconfirmed).toMatchObject({ kind: 'host-key-missing' });
    expect((unconfirmed as Error).message).toContain(lab.proxy.hostKeyFingerprint);
    expect((unconfirmed as Error).message).toContain('no password was sent');

    const other = 'SHA256:' + 'A'.repeat(43);
    await expect(install(other)).rejects.toMatchObject({ kind: 'host-key-mismatch' });
    expect(passwordAttempts('proxy')).toBe(before);

    const confirmed = await install(lab.proxy.hostKeyFingerprint);
    expect(confirmed).toMatchObject({ outcome: 'added', firstContact: true });
    expect(confirmed.hostKey.fingerprint).toBe(lab.proxy.hostKeyFingerprint);
    expect(passwordAttempts('proxy')).toBe(before + 1);
  });

  it('refuses a host whose key no longer matches its pin, and sends no password', async () => {
    const key = await store.info('lab');
    const oldPin = lab.proxy.hostKeyLine;
    await lab.proxy.rotateHostKey();
    const before = passwordAttempts('proxy');
    const err = await installKey({ config: storeConfig({ proxy: { hostKey: oldPin } }), hostName: 'proxy', publicKeyLine: key.publicKeyLine, password }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ kind: 'host-key-mismatch' });
    expect((err as Error).message).toContain(lab.proxy.hostKeyFingerprint);
    expect((err as Error).message).not.toContain(password);
    expect(passwordAttempts('proxy')).toBe(before);
  });

  it('says so when the password is wrong', async () => {
    const key = await store.info('lab');
    await expect(installKey({ config: storeConfig(), hostName: 'destination', publicKeyLine: key.publicKeyLine, password: 'not-it' })).rejects.toThrow(
      /password login to destination .* failed: the password was refused/,
    );
  });
});

describe.skipIf(skip !== undefined)('burrow keys install', () => {
  it('installs on an unpinned host only with the confirmed fingerprint, then pins it', async () => {
    const configPath = join(lab.dir, 'laptop', 'config.json'); // its key store is laptop/keys, the one above
    writeFileSync(configPath, JSON.stringify(storeConfig({ proxy: { hostKey: undefined } }), null, 2));
    const out: string[] = [];
    const err: string[] = [];
    const cli = (positionals: string[], values: CommandContext['values'] = {}) =>
      keysCommand({ io: { out: (t) => out.push(t), err: (t) => err.push(t), isTTY: false }, configPath, values, positionals });
    process.env.BURROW_KEY_PASSPHRASE = passphrase;
    process.env.BURROW_PASSWORD = password;
    try {
      expect(await cli(['generate', 'cli'])).toBe(0);
      await expect(cli(['install', 'cli'], { host: 'proxy' })).rejects.toThrow(`re-run with --fingerprint ${lab.proxy.hostKeyFingerprint}`);
      expect(readFileSync(lab.proxy.authorizedKeysPath, 'utf8')).not.toContain('burrow:cli');
      expect(await cli(['install', 'cli'], { host: 'proxy', fingerprint: lab.proxy.hostKeyFingerprint })).toBe(0);
    } finally {
      delete process.env.BURROW_KEY_PASSPHRASE;
      delete process.env.BURROW_PASSWORD;
    }
    expect(readFileSync(lab.proxy.authorizedKeysPath, 'utf8')).toContain('burrow:cli');
    expect(err.join('\n')).toContain(`pinned ${lab.proxy.hostKeyFingerprint} for proxy`);
    expect(parseConfigText(readFileSync(configPath, 'utf8'), configPath).hosts.proxy?.hostKey).toBe(lab.proxy.hostKeyLine);
    expect([...out, ...err].join('\n')).not.toContain(password);
  });
});

describe.skipIf(skip !== undefined)('a destination key on a host without rrsync', () => {
  it('is refused, saying what is missing, and nothing is installed', async () => {
    // A PATH without rrsync, for this host's sessions only.
    await lab.proxy.reconfigure(['SetEnv PATH=/nonexistent']);
    try {
      const key = await store.info('lab');
      const before = readFileSync(lab.proxy.authorizedKeysPath, 'utf8');
      const err = await installKey({
        config: storeConfig(),
        hostName: 'proxy',
        publicKeyLine: key.publicKeyLine,
        password,
        role: 'destination',
        backupPath: join(lab.proxy.home, 'tmp'),
      }).catch((e: unknown) => e);
      expect((err as Error).message).toMatch(/^rrsync not found on proxy: install the rsync package's rrsync script, e\.g\./);
      expect(readFileSync(lab.proxy.authorizedKeysPath, 'utf8')).toBe(before);
    } finally {
      await lab.proxy.reconfigure([]);
    }
  });
});
