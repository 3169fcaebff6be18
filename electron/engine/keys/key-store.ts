/**
 * Burrow's own key store: a 0700 directory of OpenSSH key pairs, every
 * private key encrypted with its passphrase (bcrypt-pbkdf + aes256-ctr), so
 * a copied laptop disk or backup yields nothing usable without it. Keys are
 * decrypted only into memory (UnlockedKeys), never into a file.
 */
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { chmod, link, mkdir, open, readFile, readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Clock } from '../../../shared/clock';
import { NAME_PATTERN } from '../../../shared/config-schema';
import { writeFileAtomic } from '../atomic-file';
import { BurrowError } from '../errors';
import { configDir } from '../paths';
import { fingerprintOf } from '../ssh/host-key';
import { utils, type ParsedKey } from '../ssh/ssh2-lib';
import { materialFromKeyObject, PassphraseError, readKeyMaterial, type KeyMaterial } from './key-material';
import { DEFAULT_KDF_ROUNDS, encodeOpenSshPrivateKey, privateKeyProtection, readOpenSshHeader } from './openssh-private-format';
import { checkNewPassphrase } from './passphrase-floor';
import { UnlockedKeys } from './unlocked-keys';

/** What `burrow keys list` shows of a stored key; never the private part. */
export interface StoredKeyInfo {
  name: string;
  /** `ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`, ... */
  type: string;
  /** `SHA256:...` as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  comment: string;
  /** Read from the file itself: true unless someone put a clear key in the store by hand. */
  encrypted: boolean;
  created: Date;
  /** `type base64 comment`, the line for authorized_keys. */
  publicKeyLine: string;
  path: string;
}

/** What an import tells beyond the stored key: the KDF strengthening, when the file's was weaker than Burrow's. */
export interface ImportedKeyInfo extends StoredKeyInfo {
  /** The file used fewer bcrypt-pbkdf rounds than Burrow does: the stored copy was re-encrypted with Burrow's. */
  strengthened?: { fromRounds: number; toRounds: number };
}

/** Where the store lives and how it encrypts. */
export interface KeyStoreOptions {
  /** Default `<configDir>/keys`. */
  dir?: string;
  /** The clock unlock TTLs run on (ignored when `unlocked` is given). */
  clock?: Clock;
  unlocked?: UnlockedKeys;
  /**
   * bcrypt-pbkdf rounds for keys Burrow encrypts (default 16, as ssh-keygen);
   * an imported OpenSSH key with fewer is stored re-encrypted with these.
   */
  kdfRounds?: number;
}

export interface ImportOptions {
  /** Name in the store; default the file's base name. */
  name?: string;
  /** The passphrase of the file being imported, when it is encrypted. */
  passphrase?: string;
  /**
   * The passphrase to store it under. Required unless the file already is an
   * encrypted OpenSSH key (that one keeps its own). A new one must meet the floor.
   */
  storePassphrase?: string;
  /** Comment for a key whose file has none (PEM). */
  comment?: string;
}

/** The store that belongs to a config file: `keys/` beside it (`<configDir>/keys` for the default config). */
export function keyStoreDirFor(configPath: string): string {
  return join(dirname(configPath), 'keys');
}

const KEY_NAME = NAME_PATTERN;

/** Store key names: like host names, and never ending in `.pub`. */
export function checkKeyName(name: string): string {
  if (!KEY_NAME.test(name) || name.endsWith('.pub')) {
    throw new BurrowError('config', `key name "${name}" must be 1-64 letters, digits, ".", "_" or "-", start with a letter or digit, and not end in .pub`);
  }
  return name;
}

/** The public key line Burrow writes beside a private key (KEY.pub). */
function publicLineOf(material: KeyMaterial, comment: string): string {
  return `${material.type} ${material.publicBlob.toString('base64')} ${comment}`.trim();
}

/**
 * A new key as the two files Burrow writes: the private key encrypted in
 * OpenSSH's format (the encoder imports use too) and the public line. Not
 * ssh2's generateKeyPairSync: it strips every leading zero byte of an
 * ed25519 public key (meant for the BIT STRING's unused-bits byte), so one
 * key in 256 came out with a 31-byte public key that neither ssh2 nor
 * OpenSSH can read.
 */
export function newKeyFiles(key: KeyObject, passphrase: string, rounds: number, comment: string): { privateText: string; publicLine: string } {
  const material = materialFromKeyObject(key, comment);
  return { privateText: encodeOpenSshPrivateKey(material, { passphrase, rounds, comment }), publicLine: publicLineOf(material, comment) };
}

/** The key store directory and the unlocked keys of this process. */
export class KeyStore {
  readonly dir: string;
  readonly unlocked: UnlockedKeys;
  private readonly rounds: number;

  constructor(opts: KeyStoreOptions = {}) {
    this.dir = opts.dir ?? join(configDir(), 'keys');
    this.unlocked = opts.unlocked ?? new UnlockedKeys(opts.clock);
    this.rounds = opts.kdfRounds ?? DEFAULT_KDF_ROUNDS;
  }

  /** Path of the private key file (encrypted) of `name`. */
  pathOf(name: string): string {
    return join(this.dir, checkKeyName(name));
  }

  /** Creates a new ed25519 key pair, encrypted with `passphrase` (which must meet the floor: passphrase-floor.ts). */
  async generate(name: string, opts: { passphrase?: string; comment?: string }): Promise<StoredKeyInfo> {
    checkKeyName(name);
    const passphrase = requirePassphrase(opts.passphrase, name);
    checkNewPassphrase(passphrase, `the passphrase for key ${name}`);
    const files = newKeyFiles(generateKeyPairSync('ed25519').privateKey, passphrase, this.rounds, opts.comment ?? `burrow:${name}`);
    await this.write(name, files.privateText, files.publicLine);
    return this.info(name);
  }

  /**
   * Imports a private key file (OpenSSH or PEM: PKCS#1, SEC1, PKCS#8;
   * encrypted or not). An encrypted OpenSSH file is stored as it is when its
   * KDF is at least as strong as Burrow's (bcrypt-pbkdf, this store's
   * rounds), and re-encrypted with Burrow's under the same passphrase
   * otherwise (`strengthened` says so); any other file is re-encrypted into
   * the OpenSSH format under `storePassphrase`. A passphrase new to the key
   * must meet the floor. The original file is left alone.
   */
  async import(path: string, opts: ImportOptions = {}): Promise<ImportedKeyInfo> {
    const name = checkKeyName(opts.name ?? basename(path));
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw new BurrowError('config', `cannot read ${path}: ${(err as Error).message}`);
    }
    let material;
    try {
      material = readKeyMaterial(text, opts.passphrase, opts.comment ?? name);
    } catch (err) {
      if (err instanceof PassphraseError) throw lockedError(`${path}`, 'key file');
      throw new BurrowError('config', `${path}: ${(err as Error).message}`);
    }
    const protection = privateKeyProtection(text);
    const fileEncrypted = protection.some((p) => p.kind !== 'none' && p.encrypted);
    const encryptedOpenSsh = protection.length === 1 && protection[0]!.kind === 'openssh' && protection[0]!.encrypted;
    const samePassphrase = opts.storePassphrase === undefined || opts.storePassphrase === opts.passphrase;
    if (opts.storePassphrase !== undefined && (!fileEncrypted || !samePassphrase))
      checkNewPassphrase(opts.storePassphrase, `the passphrase to store ${name} under`);
    let strengthened: ImportedKeyInfo['strengthened'];
    if (encryptedOpenSsh && samePassphrase) {
      const header = readOpenSshHeader(text);
      if (header.kdf !== 'bcrypt' || (header.rounds ?? 0) < this.rounds) strengthened = { fromRounds: header.rounds ?? 0, toRounds: this.rounds };
    }
    const keepAsIs = encryptedOpenSsh && samePassphrase && !strengthened;
    // A file re-encrypted only for its KDF keeps the passphrase it has.
    const storePassphrase = opts.storePassphrase ?? (strengthened ? opts.passphrase : undefined);
    let stored: string;
    if (keepAsIs) {
      if (!readOpenSshHeader(text).publicBlob.equals(material.publicBlob)) {
        throw new BurrowError('config', `${path}: its public key does not belong to its private key`);
      }
      stored = text.endsWith('\n') ? text : `${text}\n`;
    } else {
      if (!storePassphrase) {
        throw new BurrowError(
          'config',
          `${path} is not an encrypted OpenSSH key: give a passphrase to store it under (Burrow never stores a private key unencrypted)`,
        );
      }
      stored = encodeOpenSshPrivateKey(material, { passphrase: storePassphrase, rounds: this.rounds, comment: opts.comment ?? material.comment });
      // Never store what cannot be read back: parse it as every later use will.
      const check = utils.parseKey(stored, storePassphrase);
      const parsed = (Array.isArray(check) ? check[0] : check) as ParsedKey | Error | undefined;
      if (!parsed || parsed instanceof Error || !parsed.getPublicSSH().equals(material.publicBlob)) {
        throw new BurrowError('internal', `re-encrypting ${path} produced a key that does not read back; nothing was stored`);
      }
    }
    await this.write(name, stored, publicLineOf(material, opts.comment ?? material.comment));
    return { ...(await this.info(name)), ...(strengthened ? { strengthened } : {}) };
  }

  /** Every stored key, by name. */
  async list(): Promise<StoredKeyInfo[]> {
    const names = await readdir(this.dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    });
    const keys = names.filter((n) => !n.startsWith('.') && !n.endsWith('.pub') && KEY_NAME.test(n)).sort();
    return Promise.all(keys.map((n) => this.info(n)));
  }

  /** One stored key; throws when there is none of that name. */
  async info(name: string): Promise<StoredKeyInfo> {
    const path = this.pathOf(name);
    const text = await this.readPrivate(name);
    const protection = privateKeyProtection(text);
    const encrypted = protection.every((p) => p.kind !== 'none' && p.encrypted);
    const pubText = await readFile(`${path}.pub`, 'utf8').catch(() => '');
    let [type, b64, ...rest] = pubText.trim().split(/\s+/);
    if (!type || !b64) {
      // A missing .pub is rebuilt from the container's clear header.
      const header = readOpenSshHeader(text);
      type = header.type;
      b64 = header.publicBlob.toString('base64');
      rest = [];
    }
    const comment = rest.join(' ');
    const st = await stat(path);
    return {
      name,
      type,
      fingerprint: fingerprintOf(Buffer.from(b64, 'base64')),
      comment,
      encrypted,
      created: st.mtime,
      publicKeyLine: `${type} ${b64}${comment ? ` ${comment}` : ''}`,
      path,
    };
  }

  /** Deletes the key pair and forgets its unlocked copy. */
  async remove(name: string): Promise<void> {
    await this.readPrivate(name);
    this.unlocked.delete(name);
    await rm(this.pathOf(name), { force: true });
    await rm(`${this.pathOf(name)}.pub`, { force: true });
  }

  /**
   * Decrypts the key into memory and keeps it unlocked (for ttlMs, or for the
   * life of the process). A wrong or missing passphrase names the key.
   */
  async unlock(name: string, passphrase: string | undefined, opts: { ttlMs?: number } = {}): Promise<ParsedKey> {
    const text = await this.readPrivate(name);
    const parsed = passphrase ? utils.parseKey(text, passphrase) : new Error('no passphrase');
    const key = (Array.isArray(parsed) ? parsed[0] : parsed) as ParsedKey | Error | undefined;
    if (!key || key instanceof Error || !key.isPrivateKey()) throw lockedError(name, 'key');
    this.unlocked.set(name, key, opts.ttlMs);
    return key;
  }

  /** The unlocked key, or undefined when it is locked (or its time ran out). */
  unlockedKey(name: string): ParsedKey | undefined {
    return this.unlocked.get(name);
  }

  lock(name: string): void {
    this.unlocked.delete(name);
  }

  private async readPrivate(name: string): Promise<string> {
    try {
      return await readFile(this.pathOf(name), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new BurrowError('config', `no key named "${name}" in ${this.dir}`);
      throw err;
    }
  }

  private async ensureDir(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await chmod(this.dir, 0o700); // mkdir's mode is filtered by the umask, and an older dir may be looser
  }

  /**
   * Writes the private key under a temporary name, then links it to its
   * final name: link fails when the name is taken, so an existing key is
   * never overwritten, and a crash never leaves half a key under its name.
   */
  private async write(name: string, privateText: string, publicLine: string): Promise<void> {
    await this.ensureDir();
    const final = this.pathOf(name);
    const tmp = join(this.dir, `.${name}.${randomBytes(4).toString('hex')}.tmp`);
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(privateText);
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await link(tmp, final);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new BurrowError('config', `a key named "${name}" already exists in ${this.dir}`);
      throw err;
    } finally {
      await rm(tmp, { force: true });
    }
    await writeFileAtomic(`${final}.pub`, `${publicLine}\n`);
  }
}

/** What an import that strengthened the KDF tells the person, for the CLI and the Keys page alike. */
export function strengthenedNote(path: string, s: NonNullable<ImportedKeyInfo['strengthened']>): string {
  const from = `${s.fromRounds} bcrypt-pbkdf round${s.fromRounds === 1 ? '' : 's'}`;
  return `${path} was encrypted with only ${from}; Burrow stored it re-encrypted with ${s.toRounds}, under the same passphrase (the file itself is unchanged: ssh-keygen -p -a ${s.toRounds} -f ${path} strengthens it too)`;
}

function requirePassphrase(passphrase: string | undefined, name: string): string {
  if (!passphrase) throw new BurrowError('config', `key ${name} needs a passphrase: Burrow never stores a private key unencrypted`);
  return passphrase;
}

function lockedError(name: string, what: 'key' | 'key file'): BurrowError {
  return new BurrowError('auth', `${what} ${name} is encrypted: wrong or missing passphrase`);
}
