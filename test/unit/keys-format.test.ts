/**
 * The OpenSSH private key encoder, checked against both readers that will
 * ever see its output: ssh2's parser and OpenSSH's own ssh-keygen.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { materialFromKeyObject, readKeyMaterial } from '../../electron/engine/keys/key-material';
import { encodeOpenSshPrivateKey, privateKeyProtection, readOpenSshHeader } from '../../electron/engine/keys/openssh-private-format';
import { mpintBytes } from '../../electron/engine/keys/ssh-wire';
import { utils, type ParsedKey } from '../../electron/engine/ssh/ssh2-lib';

const dir = mkdtempSync(join(tmpdir(), 'burrow-keys-format-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(text: string): string {
  const p = join(dir, `k${n++}`);
  writeFileSync(p, text, { mode: 0o600 });
  return p;
}

/** ssh-keygen -y: the public key OpenSSH derives from the private file, or its error. */
function keygenPublic(path: string, passphrase: string): { ok: boolean; line: string; err: string } {
  const r = spawnSync('ssh-keygen', ['-y', '-P', passphrase, '-f', path], { encoding: 'utf8' });
  return { ok: r.status === 0, line: r.stdout.trim(), err: r.stderr };
}

const KINDS = [
  ['ed25519', 'ed25519', {}],
  ['rsa 2048', 'rsa', { modulusLength: 2048 }],
  ['ecdsa P-256', 'ec', { namedCurve: 'P-256' }],
  ['ecdsa P-384', 'ec', { namedCurve: 'P-384' }],
  ['ecdsa P-521', 'ec', { namedCurve: 'P-521' }],
] as const;

describe('encodeOpenSshPrivateKey', () => {
  it.each(KINDS)('%s: ssh-keygen and ssh2 both read it back with the passphrase, and neither without', (_label, type, opts) => {
    const { privateKey } = generateKeyPairSync(type as 'ed25519', opts as object);
    const material = materialFromKeyObject(privateKey, `test ${_label}`);
    const text = encodeOpenSshPrivateKey(material, { passphrase: 'correct horse' });
    const path = file(text);

    const viaKeygen = keygenPublic(path, 'correct horse');
    expect(viaKeygen.ok, viaKeygen.err).toBe(true);
    expect(viaKeygen.line.split(' ').slice(0, 2)).toEqual([material.type, material.publicBlob.toString('base64')]);
    expect(keygenPublic(path, 'wrong').ok).toBe(false);

    const parsed = utils.parseKey(text, 'correct horse') as ParsedKey;
    expect(parsed).not.toBeInstanceOf(Error);
    expect(parsed.getPublicSSH().equals(material.publicBlob)).toBe(true);
    expect(parsed.comment).toBe(`test ${_label}`);
    const sig = parsed.sign(Buffer.from('data'));
    expect(parsed.verify(Buffer.from('data'), sig)).toBe(true);
    expect(utils.parseKey(text, 'wrong')).toBeInstanceOf(Error);
    expect(utils.parseKey(text)).toBeInstanceOf(Error);
  });

  it('writes the header ssh-keygen writes: aes256-ctr, bcrypt, 16 rounds, one key', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const material = materialFromKeyObject(privateKey, '');
    const header = readOpenSshHeader(encodeOpenSshPrivateKey(material, { passphrase: 'p' }));
    expect(header).toMatchObject({ cipher: 'aes256-ctr', kdf: 'bcrypt', rounds: 16, keyCount: 1, type: 'ssh-ed25519' });
    expect(header.publicBlob.equals(material.publicBlob)).toBe(true);
  });

  it('refuses to write a key without a passphrase', () => {
    const material = materialFromKeyObject(generateKeyPairSync('ed25519').privateKey, '');
    expect(() => encodeOpenSshPrivateKey(material, { passphrase: '' })).toThrow(/never writes a private key unencrypted/);
  });

  it('keeps the key of an ssh-keygen file through read and re-encode', () => {
    const path = join(dir, 'orig');
    execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', 'old', '-C', 'orig', '-f', path]);
    const material = readKeyMaterial(readFileSync(path, 'utf8'), 'old');
    const again = file(encodeOpenSshPrivateKey(material, { passphrase: 'new' }));
    expect(keygenPublic(again, 'new').line.split(' ').slice(0, 2)).toEqual(readFileSync(`${path}.pub`, 'utf8').trim().split(' ').slice(0, 2));
  }, 30_000); // an RSA key generation and a bcrypt derivation: slow on a busy 2-core machine
});

describe('privateKeyProtection', () => {
  const keygen = (args: string[], passphrase: string) => {
    const path = join(dir, `g${n++}`);
    execFileSync('ssh-keygen', ['-q', ...args, '-N', passphrase, '-f', path]);
    return readFileSync(path, 'utf8');
  };

  it('tells encrypted from clear in every format ssh-keygen writes', () => {
    expect(privateKeyProtection(keygen(['-t', 'ed25519'], ''))).toEqual([{ kind: 'openssh', encrypted: false, cipher: 'none' }]);
    expect(privateKeyProtection(keygen(['-t', 'ed25519'], 'secret1'))).toEqual([{ kind: 'openssh', encrypted: true, cipher: 'aes256-ctr' }]);
    expect(privateKeyProtection(keygen(['-t', 'rsa', '-b', '2048', '-m', 'PEM'], ''))).toEqual([{ kind: 'pem', encrypted: false, label: 'RSA PRIVATE KEY' }]);
    expect(privateKeyProtection(keygen(['-t', 'rsa', '-b', '2048', '-m', 'PEM'], 'secret1'))).toEqual([
      { kind: 'pem', encrypted: true, label: 'RSA PRIVATE KEY' },
    ]);
    expect(privateKeyProtection(keygen(['-t', 'ecdsa', '-m', 'PKCS8'], ''))).toEqual([{ kind: 'pem', encrypted: false, label: 'PRIVATE KEY' }]);
    expect(privateKeyProtection(keygen(['-t', 'ecdsa', '-m', 'PKCS8'], 'secret1'))).toEqual([{ kind: 'pem', encrypted: true, label: 'ENCRYPTED PRIVATE KEY' }]);
    expect(privateKeyProtection('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOTvw1tGLnPOaCKU0FaVn9dCpwC3JTtakE5Jb64uvDJX x')).toEqual([{ kind: 'none' }]);
  });
});

describe('mpintBytes', () => {
  it('strips leading zeros and keeps the value positive', () => {
    expect(mpintBytes(Buffer.from([0, 0, 1]))).toEqual(Buffer.from([1]));
    expect(mpintBytes(Buffer.from([0x80, 1]))).toEqual(Buffer.from([0, 0x80, 1]));
    expect(mpintBytes(Buffer.from([0, 0]))).toEqual(Buffer.alloc(0));
  });
});
