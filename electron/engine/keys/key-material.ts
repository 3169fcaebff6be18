/**
 * A private key as the numbers OpenSSH stores: read from any format Burrow
 * imports (OpenSSH, PEM PKCS#1/SEC1/PKCS#8, encrypted or not) and turned
 * into the key-type-specific fields of PROTOCOL.key. Node's JWK export gives
 * the numbers, so no ASN.1 is parsed here.
 */
import { createPrivateKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { utils, type ParsedKey } from '../ssh/ssh2-lib';
import { WireWriter } from './ssh-wire';

/** The OpenSSH view of one private key. */
export interface KeyMaterial {
  /** `ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`, ... */
  type: string;
  /** The public key blob, as in a `.pub` line and in the file header. */
  publicBlob: Buffer;
  /** keytype string followed by the type's private fields (PROTOCOL.key, "private keys"). */
  privateFields: Buffer;
  comment: string;
}

/** Thrown when a passphrase is missing or wrong; the message is for a person. */
export class PassphraseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PassphraseError';
  }
}

const CURVES: Record<string, { ssh: string; bytes: number }> = {
  'P-256': { ssh: 'nistp256', bytes: 32 },
  'P-384': { ssh: 'nistp384', bytes: 48 },
  'P-521': { ssh: 'nistp521', bytes: 66 },
};

const b64u = (s: string | undefined, what: string): Buffer => {
  if (!s) throw new Error(`key has no ${what}`);
  return Buffer.from(s, 'base64url');
};

/** The OpenSSH fields of a Node private KeyObject (ed25519, RSA or ECDSA on a NIST curve). */
export function materialFromKeyObject(key: KeyObject, comment: string): KeyMaterial {
  const jwk: JsonWebKey = key.export({ format: 'jwk' });
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') {
    const pub = b64u(jwk.x, 'public part');
    const seed = b64u(jwk.d, 'private part');
    const type = 'ssh-ed25519';
    return {
      type,
      comment,
      publicBlob: new WireWriter().string(type).string(pub).toBuffer(),
      privateFields: new WireWriter()
        .string(type)
        .string(pub)
        .string(Buffer.concat([seed, pub]))
        .toBuffer(),
    };
  }
  if (jwk.kty === 'RSA') {
    const [n, e, d, p, q, qi] = (['n', 'e', 'd', 'p', 'q', 'qi'] as const).map((k) => b64u(jwk[k], k));
    const type = 'ssh-rsa';
    return {
      type,
      comment,
      publicBlob: new WireWriter().string(type).mpint(e!).mpint(n!).toBuffer(),
      // OpenSSH's iqmp is q^-1 mod p, which is JWK's qi.
      privateFields: new WireWriter().string(type).mpint(n!).mpint(e!).mpint(d!).mpint(qi!).mpint(p!).mpint(q!).toBuffer(),
    };
  }
  if (jwk.kty === 'EC') {
    const curve = CURVES[jwk.crv ?? ''];
    if (!curve) throw new Error(`ECDSA curve ${jwk.crv} is not one OpenSSH uses (nistp256, nistp384, nistp521)`);
    const pad = (b: Buffer) => Buffer.concat([Buffer.alloc(Math.max(0, curve.bytes - b.length)), b]);
    const point = Buffer.concat([Buffer.from([4]), pad(b64u(jwk.x, 'x')), pad(b64u(jwk.y, 'y'))]);
    const type = `ecdsa-sha2-${curve.ssh}`;
    return {
      type,
      comment,
      publicBlob: new WireWriter().string(type).string(curve.ssh).string(point).toBuffer(),
      privateFields: new WireWriter().string(type).string(curve.ssh).string(point).mpint(b64u(jwk.d, 'd')).toBuffer(),
    };
  }
  throw new Error(`${key.asymmetricKeyType ?? 'this'} keys are not supported (use ed25519, RSA or ECDSA)`);
}

/** True for text ssh2 reads itself: the OpenSSH container and legacy PEM (PKCS#1, SEC1, DSA). */
const SSH2_FORMATS = /-----BEGIN (OPENSSH|RSA|EC|DSA) PRIVATE KEY-----/;
/** PKCS#8, plain or encrypted, which only Node's crypto reads. */
const PKCS8 = /-----BEGIN (ENCRYPTED )?PRIVATE KEY-----/;

/**
 * Reads a private key file's text. ssh2's parser handles the OpenSSH
 * container and legacy PEM (with Proc-Type encryption); PKCS#8 goes to
 * Node's crypto. A missing or wrong passphrase throws a PassphraseError.
 */
export function readKeyMaterial(text: string, passphrase: string | undefined, fallbackComment = ''): KeyMaterial {
  if (SSH2_FORMATS.test(text)) {
    const parsed = utils.parseKey(text, passphrase || undefined);
    if (parsed instanceof Error) {
      // A wrong passphrase on a legacy encrypted PEM can decrypt to garbage that fails later with any message.
      const legacyEncrypted = /^Proc-Type:\s*4,ENCRYPTED/m.test(text);
      if (legacyEncrypted || /passphrase|encrypted|integrity check|bad decrypt/i.test(parsed.message)) throw new PassphraseError(parsed.message);
      throw new Error(`not a private key Burrow can read: ${parsed.message}`);
    }
    const key = (Array.isArray(parsed) ? parsed[0] : parsed) as ParsedKey | undefined;
    if (!key || !key.isPrivateKey()) throw new Error('the file holds no private key');
    if (key.type === 'ssh-dss') throw new Error('DSA keys are obsolete and not supported; use ed25519');
    let keyObject: KeyObject;
    try {
      keyObject = createPrivateKey(key.getPrivatePEM());
    } catch (err) {
      // ssh2 does not check a legacy PEM's decryption beyond its padding; a wrong passphrase shows up here.
      throw new PassphraseError(`the key could not be decrypted: ${(err as Error).message}`);
    }
    return materialFromKeyObject(keyObject, key.comment || fallbackComment);
  }
  if (PKCS8.test(text)) {
    let keyObject: KeyObject;
    try {
      keyObject = createPrivateKey({ key: text, format: 'pem', ...(passphrase ? { passphrase } : {}) });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ERR_MISSING_PASSPHRASE' || /bad decrypt|passphrase/i.test(e.message)) throw new PassphraseError(e.message);
      throw new Error(`not a private key Burrow can read: ${e.message}`);
    }
    return materialFromKeyObject(keyObject, fallbackComment);
  }
  if (/PuTTY-User-Key-File/.test(text)) throw new Error('PuTTY keys are not supported; convert it with: puttygen KEY -O private-openssh-new -o KEY.openssh');
  throw new Error('not a private key file (expected "-----BEGIN ... PRIVATE KEY-----")');
}
