/**
 * The key store: every way a key gets in ends encrypted at rest (proved by
 * scanning every file in the store), keys read back with ssh-keygen, a
 * missing or wrong passphrase says which key, and unlocked keys expire on
 * an injected clock.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock';
import type { HostConfig } from '../../shared/config-schema';
import { KeyStore, newKeyFiles, strengthenedNote } from '../../electron/engine/keys/key-store';
import { privateKeyProtection, readOpenSshHeader } from '../../electron/engine/keys/openssh-private-format';
import { headlessAgentProvider, StoreAgentProvider, storeKeyNames } from '../../electron/engine/keys/store-agent-provider';
import { UnlockedKeys } from '../../electron/engine/keys/unlocked-keys';
import type { KeyAgent } from '../../electron/engine/ssh/key-agent';
import { utils, type ParsedKey } from '../../electron/engine/ssh/ssh2-lib';

const work = mkdtempSync(join(tmpdir(), 'burrow-keys-store-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const PASS = 'store passphrase';
// Fewer bcrypt rounds keep the suite fast; the format is the same.
const newStore = (name: string, clock?: ManualClock) => new KeyStore({ dir: join(work, name, 'keys'), kdfRounds: 4, ...(clock ? { clock } : {}) });

/** A key written by ssh-keygen (or Node for what ssh-keygen cannot write), and its public line. */
function source(name: string, args: string[], passphrase = ''): { path: string; pub: string } {
  const path = join(work, 'src', name);
  execFileSync('ssh-keygen', ['-q', ...args, '-N', passphrase, '-C', `orig ${name}`, '-f', path]);
  return { path, pub: readFileSync(`${path}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ') };
}

function keygenPublic(path: string, passphrase: string): string {
  const r = spawnSync('ssh-keygen', ['-y', '-P', passphrase, '-f', path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim().split(' ').slice(0, 2).join(' ');
}

/** Every file in the store: no private key material that is not encrypted. */
function clearKeyMaterial(dir: string): string[] {
  const bad: string[] = [];
  for (const name of readdirSync(dir)) {
    const text = readFileSync(join(dir, name), 'utf8');
    for (const p of privateKeyProtection(text)) {
      if (p.kind === 'pem') bad.push(`${name}: PEM ${p.label}${p.encrypted ? ' (encrypted, but not OpenSSH)' : ' NOT ENCRYPTED'}`);
      if (p.kind === 'openssh' && !p.encrypted) bad.push(`${name}: OpenSSH key with cipher ${p.cipher}`);
    }
    if (/BEGIN [A-Z ]*PRIVATE KEY/.test(text) && privateKeyProtection(text).some((p) => p.kind === 'none')) bad.push(`${name}: unrecognised key block`);
  }
  return bad;
}

beforeAll(() => {
  execFileSync('mkdir', ['-p', join(work, 'src')]);
});

describe('KeyStore.generate', () => {
  it("writes a key whose ed25519 public key starts with a zero byte whole (ssh2's generator cut it to 31 bytes, 1 key in 256)", () => {
    // The first seed (sha256 of i) whose public key starts with 0x00: found deterministically, about 256 tries.
    let key;
    let pub = Buffer.alloc(0);
    for (let i = 0; pub[0] !== 0; i++) {
      const d = createHash('sha256').update(String(i)).digest();
      key = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: d.toString('base64url'), x: '' }, format: 'jwk' });
      pub = Buffer.from(key.export({ format: 'jwk' }).x!, 'base64url');
    }
    const files = newKeyFiles(key!, PASS, 2, 'zero@lead');
    const blob = Buffer.from(files.publicLine.split(' ')[1]!, 'base64');
    expect(blob.readUInt32BE(4 + 'ssh-ed25519'.length)).toBe(32);
    const dir = mkdtempSync(join(work, 'zero-'));
    writeFileSync(join(dir, 'k'), files.privateText, { mode: 0o600 });
    expect(keygenPublic(join(dir, 'k'), PASS)).toBe(files.publicLine.split(' ').slice(0, 2).join(' '));
    const parsed = utils.parseKey(files.privateText, PASS);
    expect(parsed instanceof Error ? parsed.message : (parsed as ParsedKey).getPublicSSH().equals(blob)).toBe(true);
  });

  it('writes an encrypted ed25519 pair that ssh-keygen reads with the passphrase, in a 0700 dir', async () => {
    const store = newStore('gen');
    const k = await store.generate('laptop', { passphrase: PASS, comment: 'me@laptop' });
    expect(k).toMatchObject({ name: 'laptop', type: 'ssh-ed25519', comment: 'me@laptop', encrypted: true });
    expect(statSync(store.dir).mode & 0o777).toBe(0o700);
    expect(statSync(k.path).mode & 0o777).toBe(0o600);
    const fp = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${k.path}.pub`], { encoding: 'utf8' }).split(' ')[1];
    expect(k.fingerprint).toBe(fp);
    expect(keygenPublic(k.path, PASS)).toBe(k.publicKeyLine.split(' ').slice(0, 2).join(' '));
    expect(() => keygenPublic(k.path, 'wrong')).toThrow();
    expect(clearKeyMaterial(store.dir)).toEqual([]);
  });

  it('refuses no passphrase, a taken name and a bad name, and overwrites nothing', async () => {
    const store = newStore('gen2');
    await expect(store.generate('k', {})).rejects.toThrow('key k needs a passphrase');
    const first = await store.generate('k', { passphrase: PASS });
    await expect(store.generate('k', { passphrase: PASS })).rejects.toThrow('a key named "k" already exists');
    expect((await store.info('k')).fingerprint).toBe(first.fingerprint);
    for (const bad of ['../k', 'k.pub', '.hidden', 'a,b', '']) await expect(store.generate(bad, { passphrase: PASS })).rejects.toThrow(/key name/);
    expect(readdirSync(store.dir).sort()).toEqual(['k', 'k.pub']);
  });
});

describe('the passphrase floor', () => {
  it('refuses a new passphrase shorter than 12 characters or one character repeated, naming the key, and writes nothing', async () => {
    const store = newStore('floor');
    await expect(store.generate('k', { passphrase: 'eleven char' })).rejects.toThrow(
      'the passphrase for key k is shorter than 12 characters: use at least 12, for example a few unrelated words',
    );
    await expect(store.generate('k', { passphrase: 'x'.repeat(20) })).rejects.toThrow('the passphrase for key k is one character repeated');
    const clear = source('floor-clear', ['-t', 'ed25519']);
    await expect(store.import(clear.path, { name: 'c', storePassphrase: 'short' })).rejects.toThrow(
      'the passphrase to store c under is shorter than 12 characters',
    );
    const enc = source('floor-enc', ['-t', 'ed25519'], 'its own');
    await expect(store.import(enc.path, { name: 'e', passphrase: 'its own', storePassphrase: 'new but weak'.slice(0, 8) })).rejects.toThrow(
      'the passphrase to store e under is shorter than 12 characters',
    );
    expect(await store.list()).toEqual([]);
    // Twelve characters, counted as characters (not bytes), are enough.
    await expect(store.generate('k', { passphrase: 'ünïcödé-pass' })).resolves.toMatchObject({ name: 'k' });
  });

  it('an encrypted file imported under the passphrase it already has keeps it, short or not (it is not a new one)', async () => {
    const store = newStore('floor-keep');
    const enc = source('floor-keep', ['-t', 'ed25519'], 'its own');
    await expect(store.import(enc.path, { name: 'e', passphrase: 'its own' })).resolves.toMatchObject({ name: 'e', encrypted: true });
  });
});

describe('KeyStore.import', () => {
  it("re-encrypts a file with 1 bcrypt-pbkdf round with Burrow's own parameters (16 rounds, aes256-ctr), says so, and leaves the file alone", async () => {
    const store = new KeyStore({ dir: join(work, 'kdf', 'keys') }); // the default rounds: Burrow's own
    const weak = source('kdf1', ['-t', 'ed25519', '-a', '1'], 'one round only');
    const before = readFileSync(weak.path, 'utf8');
    expect(readOpenSshHeader(before)).toMatchObject({ kdf: 'bcrypt', rounds: 1 });
    const k = await store.import(weak.path, { name: 'weak', passphrase: 'one round only' });
    expect(k.strengthened).toEqual({ fromRounds: 1, toRounds: 16 });
    expect(strengthenedNote(weak.path, k.strengthened!)).toContain('was encrypted with only 1 bcrypt-pbkdf round; Burrow stored it re-encrypted with 16');
    expect(readOpenSshHeader(readFileSync(k.path, 'utf8'))).toMatchObject({ cipher: 'aes256-ctr', kdf: 'bcrypt', rounds: 16 });
    expect(keygenPublic(k.path, 'one round only')).toBe(weak.pub);
    expect(readFileSync(weak.path, 'utf8')).toBe(before);
    expect(clearKeyMaterial(store.dir)).toEqual([]);
    // A file at Burrow's rounds already is kept as it is, and nothing is said.
    const fine = source('kdf16', ['-t', 'ed25519', '-a', '16'], 'sixteen rounds');
    const kept = await store.import(fine.path, { name: 'fine', passphrase: 'sixteen rounds' });
    expect(kept.strengthened).toBeUndefined();
    expect(readFileSync(kept.path, 'utf8')).toBe(readFileSync(fine.path, 'utf8'));
  }, 30_000);

  it('stores every kind of key file encrypted, and each reads back as the same key', async () => {
    const store = newStore('imp');
    const plainOpenSsh = source('plain', ['-t', 'ed25519']);
    const rsaPem = source('rsapem', ['-t', 'rsa', '-b', '2048', '-m', 'PEM']);
    const rsaPemEnc = source('rsapemenc', ['-t', 'rsa', '-b', '2048', '-m', 'PEM'], 'file pass');
    const ecPkcs8 = source('ecpkcs8', ['-t', 'ecdsa', '-b', '384', '-m', 'PKCS8']);
    const ecPkcs8Enc = source('ecpkcs8enc', ['-t', 'ecdsa', '-m', 'PKCS8'], 'file pass');
    const edPkcs8 = join(work, 'src', 'edpkcs8');
    const ed = generateKeyPairSync('ed25519');
    writeFileSync(edPkcs8, ed.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600 });

    const cases: [string, string, { passphrase?: string }, string][] = [
      ['plain', plainOpenSsh.path, {}, plainOpenSsh.pub],
      ['rsapem', rsaPem.path, {}, rsaPem.pub],
      ['rsapemenc', rsaPemEnc.path, { passphrase: 'file pass' }, rsaPemEnc.pub],
      ['ecpkcs8', ecPkcs8.path, {}, ecPkcs8.pub],
      ['ecpkcs8enc', ecPkcs8Enc.path, { passphrase: 'file pass' }, ecPkcs8Enc.pub],
      ['edpkcs8', edPkcs8, {}, ''],
    ];
    for (const [name, path, opts, pub] of cases) {
      const k = await store.import(path, { name, ...opts, storePassphrase: PASS });
      expect(k.encrypted).toBe(true);
      if (pub) expect(keygenPublic(k.path, PASS)).toBe(pub);
      expect(keygenPublic(k.path, PASS)).toBe(k.publicKeyLine.split(' ').slice(0, 2).join(' '));
    }
    expect((await store.info('plain')).comment).toBe('orig plain');
    expect((await store.list()).map((k) => `${k.name} ${k.type}`)).toEqual([
      'ecpkcs8 ecdsa-sha2-nistp384',
      'ecpkcs8enc ecdsa-sha2-nistp256',
      'edpkcs8 ssh-ed25519',
      'plain ssh-ed25519',
      'rsapem ssh-rsa',
      'rsapemenc ssh-rsa',
    ]);
    expect(clearKeyMaterial(store.dir)).toEqual([]);
  });

  it('keeps an encrypted OpenSSH file byte for byte, under its own passphrase', async () => {
    const store = newStore('asis');
    const enc = source('enc', ['-t', 'ed25519'], 'its own');
    const k = await store.import(enc.path, { name: 'enc', passphrase: 'its own' });
    expect(readFileSync(k.path, 'utf8')).toBe(readFileSync(enc.path, 'utf8'));
    await expect(store.unlock('enc', 'its own')).resolves.toBeTruthy();
  });

  it('says which file needs which passphrase', async () => {
    const store = newStore('imperr');
    const enc = source('enc2', ['-t', 'ed25519'], 'its own');
    const pem = source('pem2', ['-t', 'rsa', '-b', '2048', '-m', 'PEM'], 'its own');
    const plain = source('plain2', ['-t', 'ed25519']);
    for (const path of [enc.path, pem.path]) {
      await expect(store.import(path, { storePassphrase: PASS })).rejects.toThrow(`key file ${path} is encrypted: wrong or missing passphrase`);
      await expect(store.import(path, { passphrase: 'nope!', storePassphrase: PASS })).rejects.toThrow(
        `key file ${path} is encrypted: wrong or missing passphrase`,
      );
    }
    await expect(store.import(plain.path, {})).rejects.toThrow(/give a passphrase to store it under/);
    await expect(store.import(`${plain.path}.pub`, { name: 'pubfile', storePassphrase: PASS })).rejects.toThrow(/not a private key file/);
    expect(await store.list()).toEqual([]);
  });
});

describe('unlocking', () => {
  it('names the key when the passphrase is wrong or missing', async () => {
    const store = newStore('unlock');
    await store.generate('backup', { passphrase: PASS });
    await expect(store.unlock('backup', 'wrong')).rejects.toThrow('key backup is encrypted: wrong or missing passphrase');
    await expect(store.unlock('backup', undefined)).rejects.toThrow('key backup is encrypted: wrong or missing passphrase');
    await expect(store.unlock('nothere', PASS)).rejects.toThrow('no key named "nothere"');
    const key = await store.unlock('backup', PASS);
    expect(key.isPrivateKey()).toBe(true);
    expect(store.unlockedKey('backup')).toBe(key);
    store.lock('backup');
    expect(store.unlockedKey('backup')).toBeUndefined();
  });

  it('forgets a key when its time is up, on either clock', () => {
    const clock = new ManualClock('2026-11-26T12:00:00Z');
    const keys = new UnlockedKeys(clock);
    const key = {} as ParsedKey;
    keys.set('a', key, 1000);
    keys.set('forever', key);
    clock.advance(999);
    expect(keys.get('a')).toBe(key);
    clock.advance(1);
    expect(keys.get('a')).toBeUndefined();
    keys.set('b', key, 1000);
    clock.jump(60_000); // the laptop slept: wall time moved, monotonic did not
    expect(keys.get('b')).toBeUndefined();
    keys.set('c', key, 1000);
    clock.set('2026-11-26T11:00:00Z'); // the clock was set back
    expect(keys.get('c')).toBeUndefined();
    expect(keys.get('forever')).toBe(key);
  });
});

describe('StoreAgentProvider', () => {
  const host = (identityFile?: string): HostConfig => ({ hostname: 'h', port: 22, user: 'u', ...(identityFile ? { identityFile } : {}) });

  it('reads burrow:NAME[,NAME] and leaves file paths alone', () => {
    expect(storeKeyNames('burrow:a')).toEqual(['a']);
    expect(storeKeyNames('burrow:a, b')).toEqual(['a', 'b']);
    expect(storeKeyNames('/home/me/.ssh/id_ed25519')).toBeUndefined();
    expect(storeKeyNames(undefined)).toBeUndefined();
    expect(() => storeKeyNames('burrow:')).toThrow(/names no key/);
  });

  it('serves the unlocked keys in order, and they sign', async () => {
    const store = newStore('agent');
    const a = await store.generate('a', { passphrase: PASS });
    const b = await store.generate('b', { passphrase: PASS });
    await store.unlock('a', PASS);
    await store.unlock('b', PASS);
    const agent = (await new StoreAgentProvider({ store }).agentFor('src', host('burrow:a,b'))) as KeyAgent;
    const ids = await new Promise<ParsedKey[]>((resolve, reject) => agent.getIdentities((err, keys) => (err ? reject(err) : resolve(keys!))));
    expect(ids.map((k) => k.getPublicSSH().toString('base64'))).toEqual([a, b].map((k) => k.publicKeyLine.split(' ')[1]));
    const sig = await new Promise<Buffer>((resolve, reject) => agent.sign(ids[1]!, Buffer.from('x'), (err, s) => (err ? reject(err) : resolve(s!))));
    const pub = utils.parseKey(b.publicKeyLine) as ParsedKey;
    expect(pub.verify(Buffer.from('x'), sig)).toBe(true);
  });

  it('asks the passphrase source for a locked key, and says what to do without one', async () => {
    const store = newStore('agent2');
    await store.generate('k', { passphrase: PASS });
    await expect(new StoreAgentProvider({ store }).agentFor('src', host('burrow:k'))).rejects.toThrow(
      /hosts\.src\.identityFile: key k is encrypted: wrong or missing passphrase \(unlock it first, or set BURROW_KEY_PASSPHRASE/,
    );
    await expect(new StoreAgentProvider({ store, passphrases: { passphraseFor: async () => 'wrong' } }).agentFor('src', host('burrow:k'))).rejects.toThrow(
      'key k is encrypted: wrong or missing passphrase',
    );
    const asked: string[] = [];
    const provider = new StoreAgentProvider({ store, passphrases: { passphraseFor: async (n) => (asked.push(n), PASS) } });
    await expect(provider.agentFor('src', host('burrow:k'))).resolves.toBeTruthy();
    await provider.agentFor('src', host('burrow:k'));
    expect(asked).toEqual(['k']); // unlocked once, then kept
  });

  it('headless: the store beside the config, the passphrase from BURROW_KEY_PASSPHRASE', async () => {
    const configPath = join(work, 'headless', 'config.json');
    await new KeyStore({ dir: join(work, 'headless', 'keys'), kdfRounds: 4 }).generate('k', { passphrase: PASS });
    await expect(headlessAgentProvider(configPath, { BURROW_KEY_PASSPHRASE: PASS }).agentFor('src', host('burrow:k'))).resolves.toBeTruthy();
    await expect(headlessAgentProvider(configPath, {}).agentFor('src', host('burrow:k'))).rejects.toThrow(/set BURROW_KEY_PASSPHRASE/);
    await expect(headlessAgentProvider(configPath, {}).agentFor('src', host())).rejects.toThrow(/SSH_AUTH_SOCK is not set/);
  });

  it('hands other hosts to the fallback provider', async () => {
    const store = newStore('agent3');
    const seen: string[] = [];
    const fallback = { agentFor: async (name: string) => (seen.push(name), 'fallback-agent' as unknown as KeyAgent) };
    expect(await new StoreAgentProvider({ store, fallback }).agentFor('dst', host('~/.ssh/id_ed25519'))).toBe('fallback-agent');
    expect(await new StoreAgentProvider({ store, fallback }).agentFor('dst2', host())).toBe('fallback-agent');
    expect(seen).toEqual(['dst', 'dst2']);
  });
});

describe('KeyStore.remove', () => {
  it('deletes both files and the unlocked copy', async () => {
    const store = newStore('rm');
    await store.generate('gone', { passphrase: PASS });
    await store.unlock('gone', PASS);
    await store.remove('gone');
    expect(readdirSync(store.dir)).toEqual([]);
    expect(store.unlockedKey('gone')).toBeUndefined();
    await expect(store.remove('gone')).rejects.toThrow('no key named "gone"');
  });
});
