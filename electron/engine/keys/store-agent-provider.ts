/**
 * Agents for hosts whose identityFile names keys in Burrow's store
 * (`burrow:NAME`, or `burrow:NAME,NAME2`): the unlocked keys go into an
 * in-process KeyAgent. Any other host is left to the DefaultAgentProvider
 * (an identity file, or the user's ssh-agent).
 *
 * Several names matter for the source host: its agent is also the one
 * forwarded to rsync during the transfer, so `burrow:src,xfer` logs the
 * laptop in with `src` and lets rsync on the source log in to the
 * destination with `xfer` (installed there restricted to rrsync), while the
 * laptop's own destination key never leaves the laptop.
 */
import type { HostConfig } from '../../../shared/config-schema';
import { BurrowError } from '../errors';
import { DefaultAgentProvider, type AgentProvider } from '../ssh/auth';
import { KeyAgent } from '../ssh/key-agent';
import type { BaseAgentType as BaseAgent, ParsedKey } from '../ssh/ssh2-lib';
import { checkKeyName, KeyStore, keyStoreDirFor } from './key-store';
import { envPassphraseSource, type PassphraseSource } from './unlocked-keys';

/** An identityFile starting with this names store keys instead of a file. */
export const STORE_PREFIX = 'burrow:';

/** The store key names an identityFile refers to, or undefined when it is a plain file path. */
export function storeKeyNames(identityFile: string | undefined): string[] | undefined {
  if (!identityFile?.startsWith(STORE_PREFIX)) return undefined;
  const names = identityFile
    .slice(STORE_PREFIX.length)
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  if (names.length === 0) throw new BurrowError('config', `identityFile "${identityFile}" names no key (write burrow:NAME)`);
  return names.map(checkKeyName);
}

/** The store to take keys from, how to unlock them, and who serves other hosts. */
export interface StoreAgentProviderOptions {
  store: KeyStore;
  /** Asked for the passphrase of a key that is not unlocked; unlocks it for the process. */
  passphrases?: PassphraseSource;
  /** For hosts without a `burrow:` identityFile (default: a DefaultAgentProvider). */
  fallback?: AgentProvider;
}

/** Agents of store keys for `burrow:` hosts, DefaultAgentProvider's for the rest. */
export class StoreAgentProvider implements AgentProvider {
  private readonly store: KeyStore;
  private readonly passphrases?: PassphraseSource;
  private readonly fallback: AgentProvider;

  constructor(opts: StoreAgentProviderOptions) {
    this.store = opts.store;
    if (opts.passphrases) this.passphrases = opts.passphrases;
    this.fallback = opts.fallback ?? new DefaultAgentProvider();
  }

  async agentFor(hostName: string, host: HostConfig): Promise<BaseAgent> {
    let names: string[] | undefined;
    try {
      names = storeKeyNames(host.identityFile);
    } catch (err) {
      throw new BurrowError('config', `hosts.${hostName}.identityFile: ${(err as Error).message}`);
    }
    if (!names) return this.fallback.agentFor(hostName, host);
    const keys: ParsedKey[] = [];
    for (const name of names) keys.push(await this.keyFor(hostName, name));
    return new KeyAgent(keys);
  }

  private async keyFor(hostName: string, name: string): Promise<ParsedKey> {
    const unlocked = this.store.unlockedKey(name);
    if (unlocked) return unlocked;
    const passphrase = await this.passphrases?.passphraseFor(name);
    try {
      return await this.store.unlock(name, passphrase);
    } catch (err) {
      const e = err as BurrowError;
      const hint = passphrase === undefined ? ' (unlock it first, or set BURROW_KEY_PASSPHRASE for unattended runs)' : '';
      throw new BurrowError(e.kind ?? 'auth', `hosts.${hostName}.identityFile: ${e.message}${hint}`);
    }
  }
}

/**
 * The provider for headless use (`burrow run`, the daemon): the store beside
 * the config, passphrases from BURROW_KEY_PASSPHRASE, everything else as
 * DefaultAgentProvider does it. Keep one per process: unlocked keys live in
 * its store (pass `store` when the caller already has that store open).
 */
export function headlessAgentProvider(configPath: string, env: NodeJS.ProcessEnv = process.env, store?: KeyStore): StoreAgentProvider {
  return new StoreAgentProvider({
    store: store ?? new KeyStore({ dir: keyStoreDirFor(configPath) }),
    passphrases: envPassphraseSource(env),
    fallback: new DefaultAgentProvider(env),
  });
}
