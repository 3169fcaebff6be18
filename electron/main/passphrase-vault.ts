/**
 * Store keys' passphrases kept between runs, each encrypted by the system
 * keyring through an object shaped like Electron's `safeStorage`, in a
 * file inside the key store (`keys/.passphrases.safestorage.json`, 0600).
 * No passphrase is ever written in clear.
 *
 * On Linux without a keyring, Electron falls back to the `basic_text`
 * backend, whose "encryption" uses a key built into Chromium: as good as
 * clear text. Then nothing is remembered and the person is told so; runs
 * ask for the passphrase instead (an unlock on the Keys page).
 *
 * Plain Node: the electron import stays in safe-storage-passphrases.ts, so
 * this logic is tested with a stand-in for safeStorage.
 */
import { readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { KeyringStatus } from '../../shared/api-contract';
import type { PassphraseMemory } from '../engine/app/key-handlers';
import { writeFileAtomic } from '../engine/atomic-file';

/** The parts of Electron's safeStorage the vault uses. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  /** Linux only in Electron; absent or 'unknown' elsewhere. */
  getSelectedStorageBackend?(): string;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

export const NO_KEYRING_MESSAGE = 'No system keyring: Burrow will ask for the key passphrase instead of remembering it';

/** The vault file's name inside the key store (a dot name: `burrow keys list` skips it). */
export const VAULT_FILE = '.passphrases.safestorage.json';
export const VAULT_FORMAT = 'burrow-passphrases/1';

/**
 * Whether passphrases may be remembered: only when safeStorage encrypts
 * with a real keyring. On Linux, `basic_text` (no keyring found) and
 * `unknown` (asked before the app was ready) mean no.
 */
export function keyringStatus(safe: SafeStorageLike, platform: NodeJS.Platform = process.platform): KeyringStatus {
  let available = false;
  try {
    available = safe.isEncryptionAvailable();
  } catch {
    available = false;
  }
  if (platform === 'linux') {
    const backend = safe.getSelectedStorageBackend?.() ?? 'unknown';
    if (!available || backend === 'basic_text' || backend === 'unknown') return { remembers: false, backend, message: NO_KEYRING_MESSAGE };
    return { remembers: true, backend };
  }
  const backend = platform === 'darwin' ? 'keychain' : platform === 'win32' ? 'dpapi' : platform;
  return available ? { remembers: true, backend } : { remembers: false, backend: 'none', message: NO_KEYRING_MESSAGE };
}

/** One remembered passphrase: the safeStorage ciphertext, and the key it belongs to. */
export interface VaultEntry {
  fingerprint: string;
  /** base64 of safeStorage.encryptString(passphrase). */
  encrypted: string;
  /** The keyring backend that encrypted it. */
  backend: string;
}

export interface VaultFile {
  format: typeof VAULT_FORMAT;
  keys: Record<string, VaultEntry>;
}

/** Reads a vault file's text; anything unreadable or of another format is an empty vault. */
export function parseVault(text: string | undefined): VaultFile {
  const empty: VaultFile = { format: VAULT_FORMAT, keys: {} };
  if (!text) return empty;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return empty;
  }
  const d = data as { format?: unknown; keys?: unknown };
  if (d.format !== VAULT_FORMAT || typeof d.keys !== 'object' || d.keys === null) return empty;
  const keys: Record<string, VaultEntry> = {};
  for (const [name, e] of Object.entries(d.keys as Record<string, Partial<VaultEntry>>)) {
    if (typeof e?.fingerprint === 'string' && typeof e.encrypted === 'string' && typeof e.backend === 'string') {
      keys[name] = { fingerprint: e.fingerprint, encrypted: e.encrypted, backend: e.backend };
    }
  }
  return { format: VAULT_FORMAT, keys };
}

export function serializeVault(v: VaultFile): string {
  return `${JSON.stringify(v, null, 2)}\n`;
}

export interface PassphraseVaultOptions {
  safe: SafeStorageLike;
  /** The key store directory; the vault file lives in it. */
  storeDir: string;
  platform?: NodeJS.Platform;
  /** Called when a run needs a locked key that is remembered nowhere. */
  onMissing?: (name: string, status: KeyringStatus) => void;
}

/** A PassphraseMemory on safeStorage: see the top of this file. */
export class PassphraseVault implements PassphraseMemory {
  readonly file: string;
  private vault: VaultFile;

  constructor(private readonly opts: PassphraseVaultOptions) {
    this.file = join(opts.storeDir, VAULT_FILE);
    let text: string | undefined;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      text = undefined;
    }
    this.vault = parseVault(text);
  }

  status(): KeyringStatus {
    return keyringStatus(this.opts.safe, this.opts.platform);
  }

  has(name: string): boolean {
    return this.status().remembers && this.vault.keys[name] !== undefined;
  }

  async recall(name: string): Promise<{ fingerprint: string; passphrase: string } | undefined> {
    const status = this.status();
    const entry = this.vault.keys[name];
    // Never decrypt with a weaker backend than the one that encrypted it (a keyring that went away).
    if (!status.remembers || !entry || entry.backend !== status.backend) return undefined;
    try {
      return { fingerprint: entry.fingerprint, passphrase: this.opts.safe.decryptString(Buffer.from(entry.encrypted, 'base64')) };
    } catch {
      await this.forget(name); // the keyring's key changed: this entry is useless now
      return undefined;
    }
  }

  async remember(name: string, fingerprint: string, passphrase: string): Promise<boolean> {
    const status = this.status();
    if (!status.remembers) return false;
    const encrypted = this.opts.safe.encryptString(passphrase).toString('base64');
    this.vault = { ...this.vault, keys: { ...this.vault.keys, [name]: { fingerprint, encrypted, backend: status.backend } } };
    await this.save();
    return true;
  }

  async forget(name: string): Promise<void> {
    if (!(name in this.vault.keys)) return;
    const keys = { ...this.vault.keys };
    delete keys[name];
    this.vault = { ...this.vault, keys };
    await this.save();
  }

  missing(name: string): void {
    this.opts.onMissing?.(name, this.status());
  }

  /** Written under a temporary name (0600) and renamed: never half a file. */
  private async save(): Promise<void> {
    const dir = dirname(this.file);
    if (Object.keys(this.vault.keys).length === 0) {
      await rm(this.file, { force: true });
      return;
    }
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.file, serializeVault(this.vault), { mode: 0o600 });
  }
}
