/**
 * The desktop app's remembered passphrases (electron/main/passphrase-vault),
 * with a stand-in for Electron's safeStorage: remembered only with a real
 * keyring (never with Linux's basic_text), never written in clear, tied to
 * the backend and the key they were remembered for, and an unreadable file
 * is an empty vault rather than a crash.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  keyringStatus,
  NO_KEYRING_MESSAGE,
  parseVault,
  PassphraseVault,
  VAULT_FILE,
  VAULT_FORMAT,
  type SafeStorageLike,
} from '../../electron/main/passphrase-vault';

const work = mkdtempSync(join(tmpdir(), 'burrow-vault-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const PASS = 'correct horse battery staple';

/** A safeStorage stand-in: "encrypts" by XOR with a key, so clear text never shows in its output. */
function fakeSafe(backend: string, opts: { available?: boolean; key?: number } = {}): SafeStorageLike & { backend: string } {
  const key = opts.key ?? 0x5a;
  const xor = (b: Buffer) => Buffer.from(b.map((x) => x ^ key));
  return {
    backend,
    isEncryptionAvailable: () => opts.available ?? true,
    getSelectedStorageBackend() {
      return this.backend;
    },
    encryptString: (text) => Buffer.concat([Buffer.from('v10'), xor(Buffer.from(text, 'utf8'))]),
    decryptString: (data) => {
      if (data.subarray(0, 3).toString() !== 'v10') throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      const text = xor(data.subarray(3)).toString('utf8');
      if (!/^[\x20-\x7e]*$/.test(text)) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return text;
    },
  };
}

let n = 0;
const storeDir = () => join(work, `store-${++n}`);

describe('keyringStatus', () => {
  it('remembers only with a real keyring', () => {
    expect(keyringStatus(fakeSafe('gnome_libsecret'), 'linux')).toEqual({ remembers: true, backend: 'gnome_libsecret' });
    expect(keyringStatus(fakeSafe('kwallet5'), 'linux')).toEqual({ remembers: true, backend: 'kwallet5' });
    expect(keyringStatus(fakeSafe('basic_text'), 'linux')).toEqual({ remembers: false, backend: 'basic_text', message: NO_KEYRING_MESSAGE });
    // Asked before the app was ready, Electron cannot tell: assume the worst.
    expect(keyringStatus(fakeSafe('unknown'), 'linux').remembers).toBe(false);
    expect(keyringStatus(fakeSafe('gnome_libsecret', { available: false }), 'linux').remembers).toBe(false);
    expect(keyringStatus(fakeSafe('unknown'), 'darwin')).toEqual({ remembers: true, backend: 'keychain' });
    expect(keyringStatus(fakeSafe('unknown'), 'win32')).toEqual({ remembers: true, backend: 'dpapi' });
    expect(keyringStatus(fakeSafe('unknown', { available: false }), 'darwin')).toEqual({ remembers: false, backend: 'none', message: NO_KEYRING_MESSAGE });
  });

  it('says it in plain words', () => {
    expect(NO_KEYRING_MESSAGE).toBe('No system keyring: Burrow will ask for the key passphrase instead of remembering it');
  });
});

describe('PassphraseVault', () => {
  it('round-trips through the keyring and a new process, never in clear, in a 0600 file', async () => {
    const dir = storeDir();
    const safe = fakeSafe('gnome_libsecret');
    const vault = new PassphraseVault({ safe, storeDir: dir, platform: 'linux' });
    expect(await vault.remember('backup', 'SHA256:abc', PASS)).toBe(true);
    expect(vault.has('backup')).toBe(true);
    const file = join(dir, VAULT_FILE);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(PASS);
    expect(text).not.toContain(Buffer.from(PASS).toString('base64'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(text) as { format: string; keys: Record<string, { fingerprint: string; backend: string; encrypted: string }> };
    expect(stored.format).toBe(VAULT_FORMAT);
    expect(stored.keys.backup).toMatchObject({ fingerprint: 'SHA256:abc', backend: 'gnome_libsecret' });
    // What the next start of the app reads.
    const again = new PassphraseVault({ safe, storeDir: dir, platform: 'linux' });
    expect(await again.recall('backup')).toEqual({ fingerprint: 'SHA256:abc', passphrase: PASS });
    expect(await again.recall('other')).toBeUndefined();
  });

  it('with basic_text remembers nothing and writes nothing, and says so', async () => {
    const dir = storeDir();
    const vault = new PassphraseVault({ safe: fakeSafe('basic_text'), storeDir: dir, platform: 'linux' });
    expect(vault.status()).toEqual({ remembers: false, backend: 'basic_text', message: NO_KEYRING_MESSAGE });
    expect(await vault.remember('backup', 'SHA256:abc', PASS)).toBe(false);
    expect(existsSync(join(dir, VAULT_FILE))).toBe(false);
    expect(vault.has('backup')).toBe(false);
  });

  it('a keyring that went away (now basic_text) or changed backend decrypts nothing', async () => {
    const dir = storeDir();
    const safe = fakeSafe('kwallet5');
    await new PassphraseVault({ safe, storeDir: dir, platform: 'linux' }).remember('backup', 'SHA256:abc', PASS);
    safe.backend = 'basic_text';
    const later = new PassphraseVault({ safe, storeDir: dir, platform: 'linux' });
    expect(later.has('backup')).toBe(false);
    expect(await later.recall('backup')).toBeUndefined();
    safe.backend = 'gnome_libsecret';
    expect(await later.recall('backup')).toBeUndefined();
    safe.backend = 'kwallet5';
    expect(await later.recall('backup')).toEqual({ fingerprint: 'SHA256:abc', passphrase: PASS });
  });

  it('an entry the keyring can no longer decrypt is forgotten, and the last forget removes the file', async () => {
    const dir = storeDir();
    await new PassphraseVault({ safe: fakeSafe('gnome_libsecret'), storeDir: dir, platform: 'linux' }).remember('backup', 'SHA256:abc', PASS);
    const rotated = new PassphraseVault({ safe: fakeSafe('gnome_libsecret', { key: 0x80 }), storeDir: dir, platform: 'linux' });
    expect(await rotated.recall('backup')).toBeUndefined();
    expect(rotated.has('backup')).toBe(false);
    expect(existsSync(join(dir, VAULT_FILE))).toBe(false);
  });

  it('forget keeps the other keys', async () => {
    const dir = storeDir();
    const vault = new PassphraseVault({ safe: fakeSafe('gnome_libsecret'), storeDir: dir, platform: 'linux' });
    await vault.remember('a', 'SHA256:a', 'pa');
    await vault.remember('b', 'SHA256:b', 'pb');
    await vault.forget('a');
    const again = new PassphraseVault({ safe: fakeSafe('gnome_libsecret'), storeDir: dir, platform: 'linux' });
    expect([again.has('a'), again.has('b')]).toEqual([false, true]);
  });

  it('a damaged or foreign file is an empty vault', () => {
    expect(parseVault(undefined).keys).toEqual({});
    expect(parseVault('{not json').keys).toEqual({});
    expect(parseVault(JSON.stringify({ format: 'other/9', keys: { a: {} } })).keys).toEqual({});
    expect(
      parseVault(JSON.stringify({ format: VAULT_FORMAT, keys: { a: { fingerprint: 1 }, b: { fingerprint: 'f', encrypted: 'e', backend: 'x' } } })).keys,
    ).toEqual({
      b: { fingerprint: 'f', encrypted: 'e', backend: 'x' },
    });
    const dir = storeDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, VAULT_FILE), 'garbage');
    expect(new PassphraseVault({ safe: fakeSafe('gnome_libsecret'), storeDir: dir, platform: 'linux' }).has('x')).toBe(false);
  });

  it('a locked key remembered nowhere is reported to the shell, with the keyring status', () => {
    const onMissing = vi.fn();
    new PassphraseVault({ safe: fakeSafe('basic_text'), storeDir: storeDir(), platform: 'linux', onMissing }).missing('backup');
    expect(onMissing).toHaveBeenCalledWith('backup', { remembers: false, backend: 'basic_text', message: NO_KEYRING_MESSAGE });
  });
});
