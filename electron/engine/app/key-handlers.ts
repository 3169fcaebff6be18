/**
 * The Keys page's requests: Burrow's key store (list, generate, import,
 * delete, unlock, lock) and installing a key's public half on a configured
 * host. They take the same code path as `burrow keys ...` (KeyStore,
 * installKey, which pins on first contact); only where the secrets come from differs: the
 * request, never the environment or a terminal. Secrets are passed on and
 * dropped, never logged, stored in clear or repeated in an error.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import type { KeyHostView, KeyringStatus, KeyView } from '../../../shared/api-contract';
import type { BurrowConfig } from '../../../shared/config-schema';
import { BurrowError } from '../errors';
import { destinationPathsFor, identityFileHint, installKey, planKeyInstall, updateGate } from '../keys/install-key';
import { gateStatus, updateGateCommand } from '../keys/gate-check';
import { strengthenedNote, type KeyStore, type StoredKeyInfo } from '../keys/key-store';
import { privateKeyProtection } from '../keys/openssh-private-format';
import { WeakPassphraseError } from '../keys/passphrase-floor';
import type { PassphraseSource } from '../keys/unlocked-keys';
import type { AgentProvider } from '../ssh/auth';
import type { Handlers } from '../../../shared/api-contract';

/**
 * Where a shell keeps store keys' passphrases between runs, if anywhere:
 * the desktop app keeps them encrypted by the system keyring (Electron's
 * safeStorage). Implementations never keep a passphrase in clear.
 */
export interface PassphraseMemory {
  /** Whether passphrases are remembered at all, and if not, the words that say so. */
  status(): KeyringStatus;
  /** A passphrase is remembered for `name`. */
  has(name: string): boolean;
  /** The remembered passphrase and the fingerprint of the key it was remembered for. */
  recall(name: string): Promise<{ fingerprint: string; passphrase: string } | undefined>;
  /** Remembers it; false when this memory cannot (no keyring). */
  remember(name: string, fingerprint: string, passphrase: string): Promise<boolean>;
  forget(name: string): Promise<void>;
  /** A run needed key `name`, locked and remembered nowhere: the shell may ask for it (a notification). */
  missing?(name: string): void;
}

/** What the web shell reports: nothing is remembered beyond the process. */
export const NO_MEMORY: KeyringStatus = {
  remembers: false,
  backend: 'none',
  message: 'Passphrases are not remembered here: unlock a key for a while, or set BURROW_KEY_PASSPHRASE for unattended runs.',
};

export type KeyRequestName = 'listKeys' | 'generateKey' | 'importKey' | 'deleteKey' | 'unlockKey' | 'lockKey' | 'installKey' | 'gateStatus' | 'updateGate';
export type KeyHandlers = Pick<Handlers, KeyRequestName>;

/** What the key handlers need from the app: the store, the config, and how to reload it. */
export interface KeyHandlerContext {
  store(): KeyStore;
  memory(): PassphraseMemory | undefined;
  configPath(): string;
  /** The loaded config, or undefined when there is none (or it is invalid). */
  config(): BurrowConfig | undefined;
  agents(): AgentProvider | undefined;
  /** The config file changed (a host key was pinned): load it again. */
  configChanged(): Promise<void>;
}

/**
 * The passphrase source for runs: the remembered passphrase (only for the
 * key it was remembered for), then BURROW_KEY_PASSPHRASE, then nothing, in
 * which case the shell is told so it can ask.
 */
export function rememberingPassphraseSource(store: KeyStore, memory: PassphraseMemory | undefined, fallback: PassphraseSource): PassphraseSource {
  return {
    async passphraseFor(name) {
      const remembered = await memory?.recall(name);
      if (remembered) {
        const now = await store.info(name).catch(() => undefined);
        if (now && now.fingerprint === remembered.fingerprint) return remembered.passphrase;
        await memory?.forget(name); // the key was replaced since: that passphrase belongs to no key now
      }
      const env = await fallback.passphraseFor(name);
      if (env !== undefined) return env;
      memory?.missing?.(name);
      return undefined;
    },
  };
}

/** A stored key as the UI sees it: no path, no private part. */
export function keyView(k: StoredKeyInfo, store: KeyStore, memory: PassphraseMemory | undefined): KeyView {
  return {
    name: k.name,
    type: k.type,
    fingerprint: k.fingerprint,
    comment: k.comment,
    encrypted: k.encrypted,
    created: k.created.toISOString(),
    publicKeyLine: k.publicKeyLine,
    unlocked: store.unlockedKey(k.name) !== undefined,
    remembered: memory?.has(k.name) ?? false,
  };
}

/** The hosts of the config, for the install form. */
export function keyHosts(config: BurrowConfig | undefined): KeyHostView[] {
  if (!config) return [];
  return Object.entries(config.hosts).map(([name, h]) => ({
    name,
    user: h.user,
    hostname: h.hostname,
    port: h.port,
    pinned: Boolean(h.hostKey),
    ...(h.identityFile ? { identityFile: h.identityFile } : {}),
    destinationPaths: destinationPathsFor(config, name),
    sourceJobs: config.jobs.filter((j) => j.source === name).map((j) => j.name),
  }));
}

/** The config, when `host` is a host of it that some job uses as its source. */
function sourceHostConfig(ctx: KeyHandlerContext, host: string): BurrowConfig {
  const config = ctx.config();
  if (!config) throw new BurrowError('config', 'host: there is no valid config with hosts yet; add the host in Settings first');
  if (!config.hosts[host]) throw fieldError('host', `no host named "${host}" in the config`);
  if (!config.jobs.some((j) => j.source === host)) throw fieldError('host', `no job uses ${host} as its source`);
  return config;
}

function fieldError(field: string, message: string, kind: 'config' | 'auth' | 'host-key-missing' = 'config'): BurrowError {
  return new BurrowError(kind, `${field}: ${message}`, { problems: [{ path: field, message }] });
}

/** The key store's passphrase floor, said at the form field that holds the passphrase. */
async function atField<T>(field: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof WeakPassphraseError) throw fieldError(field, err.message);
    throw err;
  }
}

export function makeKeyHandlers(ctx: KeyHandlerContext): KeyHandlers {
  const view = (k: StoredKeyInfo) => keyView(k, ctx.store(), ctx.memory());
  const maybeRemember = async (remember: boolean | undefined, k: StoredKeyInfo, passphrase: string) => {
    const memory = ctx.memory();
    if (remember && memory?.status().remembers) await memory.remember(k.name, k.fingerprint, passphrase);
  };

  return {
    listKeys: async () => {
      const store = ctx.store();
      const memory = ctx.memory();
      const keys = await store.list();
      return {
        dir: store.dir,
        keys: keys.map((k) => keyView(k, store, memory)),
        hosts: keyHosts(ctx.config()),
        keyring: memory?.status() ?? NO_MEMORY,
      };
    },

    generateKey: async ({ name, comment, passphrase, remember }) => {
      const k = await atField('passphrase', ctx.store().generate(name, { passphrase, ...(comment ? { comment } : {}) }));
      await maybeRemember(remember, k, passphrase);
      return view(k);
    },

    importKey: async ({ path, name, comment, passphrase, storePassphrase, remember }) => {
      if (!isAbsolute(path)) throw fieldError('path', `"${path}" must be an absolute path`);
      const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
        throw fieldError('path', `cannot read ${path}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
      });
      const protection = privateKeyProtection(text);
      if (protection.every((p) => p.kind === 'none')) throw fieldError('path', `${path} holds no OpenSSH or PEM private key`);
      const encrypted = protection.some((p) => p.kind !== 'none' && p.encrypted);
      // As `burrow keys import`: an encrypted file keeps its passphrase unless another is given; a clear one needs one.
      if (encrypted && !passphrase) throw fieldError('passphrase', `${path} is encrypted: give its passphrase`);
      const storeUnder = storePassphrase ?? (encrypted ? passphrase : undefined);
      if (!storeUnder)
        throw fieldError('storePassphrase', `${path} is not encrypted: give a passphrase to store it under (Burrow never stores a private key unencrypted)`);
      const k = await atField(
        'storePassphrase',
        ctx.store().import(path, {
          ...(name ? { name } : {}),
          ...(comment ? { comment } : {}),
          ...(encrypted && passphrase ? { passphrase } : {}),
          storePassphrase: storeUnder,
        }),
      );
      await maybeRemember(remember, k, storeUnder);
      return { ...view(k), ...(k.strengthened ? { note: strengthenedNote(path, k.strengthened) } : {}) };
    },

    deleteKey: async ({ name }) => {
      const k = await ctx.store().info(name);
      await ctx.store().remove(name);
      await ctx.memory()?.forget(name);
      return { deleted: name, fingerprint: k.fingerprint };
    },

    unlockKey: async ({ name, passphrase, minutes, remember }) => {
      await ctx.store().unlock(name, passphrase, minutes !== undefined ? { ttlMs: minutes * 60_000 } : {});
      const k = await ctx.store().info(name);
      await maybeRemember(remember, k, passphrase);
      return view(k);
    },

    lockKey: async ({ name }) => {
      const k = await ctx.store().info(name); // names an unknown key
      ctx.store().lock(name);
      await ctx.memory()?.forget(name);
      return view(k);
    },

    installKey: async ({ name, host: hostName, role, password, path, fingerprint }) => {
      const config = ctx.config();
      if (!config) throw new BurrowError('config', 'host: there is no valid config with hosts yet; add the host in Settings first');
      const { host, needsFingerprint, install } = planKeyInstall(config, hostName, role, path);
      const key = await ctx.store().info(name);
      if (needsFingerprint && !fingerprint) {
        throw fieldError(
          'fingerprint',
          `${hostName} has no pinned host key: fetch its key, compare the fingerprint with the host's own, and confirm it; no password was sent`,
          'host-key-missing',
        );
      }
      const agents = ctx.agents();
      const result = await installKey({
        ...install,
        publicKeyLine: key.publicKeyLine,
        password,
        ...(fingerprint ? { confirmFingerprint: fingerprint } : {}),
        ...(agents ? { agents } : {}),
        pinIn: ctx.configPath(),
      });
      const pinned = result.pinned;
      if (pinned) await ctx.configChanged();
      const hint = identityFileHint(hostName, host, name, role);
      return {
        outcome: result.outcome,
        line: result.line,
        ...(pinned ? { pinned } : {}),
        ...(hint ? { hint } : {}),
        ...(result.gate ? { gate: result.gate } : {}),
      };
    },

    gateStatus: async ({ host }) => {
      const config = sourceHostConfig(ctx, host);
      const agents = ctx.agents();
      if (!agents) throw new BurrowError('config', 'the config does not load yet; fix it in Settings first');
      const report = await gateStatus(config, host, agents);
      return { ...report, command: updateGateCommand(host) };
    },

    updateGate: async ({ host, password }) => {
      const config = sourceHostConfig(ctx, host);
      const agents = ctx.agents();
      return updateGate({ config, hostName: host, password, ...(agents ? { agents } : {}) });
    },
  };
}
