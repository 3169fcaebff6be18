/**
 * Decrypted keys live only here, in memory: for the life of the process or
 * until their time runs out. Where a passphrase comes from is not this
 * module's business (see PassphraseSource).
 */
import { systemClock, type Clock } from '../../../shared/clock';
import type { ParsedKey } from '../ssh/ssh2-lib';

/**
 * Supplies the passphrase of a store key when it is needed and not unlocked.
 *
 * The desktop shell can implement this with Electron's safeStorage (the OS
 * keychain) or a prompt; that is the shell's job, not the engine's. Headless
 * (`burrow run`, the daemon) relies on the passphrase-protected OpenSSH key
 * files themselves and gets the passphrase from the environment
 * (`envPassphraseSource`) or from an earlier unlock in the same process.
 */
export interface PassphraseSource {
  /** The passphrase of key `name`, or undefined when there is none to give. */
  passphraseFor(name: string): Promise<string | undefined>;
}

/** BURROW_KEY_PASSPHRASE (one passphrase for every store key): for automation and tests. */
export function envPassphraseSource(env: NodeJS.ProcessEnv = process.env): PassphraseSource {
  return { passphraseFor: async () => env.BURROW_KEY_PASSPHRASE || undefined };
}

interface Entry {
  key: ParsedKey;
  /** Wall time (ms) and monotonic time at unlock; both are checked, see `get`. */
  wallAt: number;
  monoAt: number;
  ttlMs?: number;
}

/** The unlocked keys of one process, by store name. */
export class UnlockedKeys {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly clock: Clock = systemClock) {}

  /** Keeps `key` unlocked; without ttlMs until `lock` or the end of the process. */
  set(name: string, key: ParsedKey, ttlMs?: number): void {
    const entry: Entry = { key, wallAt: this.clock.now().getTime(), monoAt: this.clock.monotonicMs() };
    if (ttlMs !== undefined) entry.ttlMs = ttlMs;
    this.entries.set(name, entry);
  }

  /**
   * The unlocked key, or undefined once its time is up. The time is up when
   * either clock says so: wall time so that a laptop's sleep counts (an
   * hour's unlock does not survive a night), monotonic time so that setting
   * the clock back does not extend it.
   */
  get(name: string): ParsedKey | undefined {
    const e = this.entries.get(name);
    if (!e) return undefined;
    if (e.ttlMs !== undefined) {
      const wall = this.clock.now().getTime() - e.wallAt;
      const mono = this.clock.monotonicMs() - e.monoAt;
      if (wall >= e.ttlMs || mono >= e.ttlMs || wall < 0) {
        this.entries.delete(name);
        return undefined;
      }
    }
    return e.key;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** Forgets the key; the next use needs its passphrase again. */
  delete(name: string): void {
    this.entries.delete(name);
  }

  clear(): void {
    this.entries.clear();
  }
}
