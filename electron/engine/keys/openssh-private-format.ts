/**
 * The OpenSSH private key container ("openssh-key-v1", PROTOCOL.key),
 * written encrypted: bcrypt-pbkdf derives the key and IV of aes256-ctr from
 * the passphrase, as `ssh-keygen` does by default. Also reads a container's
 * clear header (cipher, kdf, public key) without any passphrase, so a store
 * can prove that nothing in it is unencrypted.
 */
import { createCipheriv, randomBytes, randomInt } from 'node:crypto';
import bcrypt from 'bcrypt-pbkdf';
import type { KeyMaterial } from './key-material';
import { WireReader, WireWriter } from './ssh-wire';

const MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');
const CIPHER = 'aes256-ctr';
const KEY_LEN = 32;
const IV_LEN = 16;
const BLOCK = 16;
const SALT_LEN = 16;
/** ssh-keygen's default number of bcrypt-pbkdf rounds. */
export const DEFAULT_KDF_ROUNDS = 16;

const BEGIN = '-----BEGIN OPENSSH PRIVATE KEY-----';
const END = '-----END OPENSSH PRIVATE KEY-----';

/** How to encrypt: the passphrase, bcrypt-pbkdf rounds, and the comment stored inside. */
export interface EncodeOptions {
  passphrase: string;
  rounds?: number;
  /** Replaces the material's own comment. */
  comment?: string;
}

/** An encrypted OpenSSH private key file for one key, as text. */
export function encodeOpenSshPrivateKey(material: KeyMaterial, opts: EncodeOptions): string {
  if (!opts.passphrase) throw new Error('a passphrase is required: Burrow never writes a private key unencrypted');
  const rounds = opts.rounds ?? DEFAULT_KDF_ROUNDS;
  const salt = randomBytes(SALT_LEN);
  // Two equal random check ints: a wrong passphrase decrypts them to different values.
  const check = randomInt(0, 2 ** 32);
  const body = new WireWriter()
    .uint32(check)
    .uint32(check)
    .raw(material.privateFields)
    .string(opts.comment ?? material.comment)
    .toBuffer();
  const padLen = (BLOCK - (body.length % BLOCK)) % BLOCK;
  const padding = Buffer.from(Array.from({ length: padLen }, (_, i) => i + 1));
  const plain = Buffer.concat([body, padding]);

  const derived = Buffer.alloc(KEY_LEN + IV_LEN);
  const pass = Buffer.from(opts.passphrase, 'utf8');
  if (bcrypt.pbkdf(pass, pass.length, salt, salt.length, derived, derived.length, rounds) !== 0) {
    throw new Error('bcrypt-pbkdf failed to derive the encryption key');
  }
  const cipher = createCipheriv('aes-256-ctr', derived.subarray(0, KEY_LEN), derived.subarray(KEY_LEN));
  const encrypted = Buffer.concat([cipher.update(plain), cipher.final()]);
  plain.fill(0);
  body.fill(0);
  derived.fill(0);

  const file = new WireWriter()
    .raw(MAGIC)
    .string(CIPHER)
    .string('bcrypt')
    .string(new WireWriter().string(salt).uint32(rounds).toBuffer())
    .uint32(1)
    .string(material.publicBlob)
    .string(encrypted)
    .toBuffer();
  const b64 = file.toString('base64').replace(/.{70}/g, '$&\n').replace(/\n$/, '');
  return `${BEGIN}\n${b64}\n${END}\n`;
}

/** What the clear part of an OpenSSH private key file says. */
export interface OpenSshHeader {
  cipher: string;
  kdf: string;
  rounds?: number;
  keyCount: number;
  /** The first public key blob. */
  publicBlob: Buffer;
  /** Key type from the public blob, e.g. `ssh-ed25519`. */
  type: string;
}

/** Reads the clear header of an OpenSSH private key file; never needs the passphrase. */
export function readOpenSshHeader(text: string): OpenSshHeader {
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (start < 0 || end < start) throw new Error('not an OpenSSH private key');
  const data = Buffer.from(text.slice(start + BEGIN.length, end).replace(/\s+/g, ''), 'base64');
  if (!data.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('not an openssh-key-v1 file');
  const r = new WireReader(data.subarray(MAGIC.length));
  const cipher = r.text();
  const kdf = r.text();
  const kdfOptions = r.string();
  const keyCount = r.uint32();
  const publicBlob = r.string();
  const header: OpenSshHeader = { cipher, kdf, keyCount, publicBlob, type: new WireReader(publicBlob).text() };
  if (kdf === 'bcrypt' && kdfOptions.length > 0) {
    const o = new WireReader(kdfOptions);
    o.string();
    header.rounds = o.uint32();
  }
  return header;
}

/** How a file holding private key material protects it. */
export type PrivateKeyProtection =
  { kind: 'openssh'; encrypted: boolean; cipher: string } | { kind: 'pem'; encrypted: boolean; label: string } | { kind: 'none' };

/**
 * Whether a file's text holds private key material, and whether that is
 * encrypted. An OpenSSH container counts as clear when its cipher is
 * "none"; a PEM block when it is neither "ENCRYPTED PRIVATE KEY" (PKCS#8)
 * nor carries a `Proc-Type: 4,ENCRYPTED` header (legacy PEM).
 */
export function privateKeyProtection(text: string): PrivateKeyProtection[] {
  const found: PrivateKeyProtection[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----([\s\S]*?)-----END \1-----/g;
  for (const m of text.matchAll(re)) {
    const label = m[1]!;
    if (label === 'OPENSSH PRIVATE KEY') {
      let cipher = 'unreadable';
      try {
        cipher = readOpenSshHeader(m[0]).cipher;
      } catch {
        // an unreadable container is reported as not provably encrypted
      }
      found.push({ kind: 'openssh', encrypted: cipher !== 'none' && cipher !== 'unreadable', cipher });
    } else {
      const encrypted = label.startsWith('ENCRYPTED ') || /^Proc-Type:\s*4,ENCRYPTED/m.test(m[2] ?? '');
      found.push({ kind: 'pem', encrypted, label });
    }
  }
  return found.length > 0 ? found : [{ kind: 'none' }];
}
