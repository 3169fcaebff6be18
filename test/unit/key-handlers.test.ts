/**
 * The Keys page's requests: every bad input is refused with an error that
 * names the field or the value (and never repeats a secret), through the
 * contract's schemas and the handlers; a generated key is listed with its
 * fingerprint and no private material; unlock with a time limit, lock, and
 * delete; remembered passphrases serve only the key they belong to.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { KeyringStatus } from '../../shared/api-contract';
import { ManualClock } from '../../shared/clock';
import { validateConfig, type BurrowConfig } from '../../shared/config-schema';
import { AppService } from '../../electron/engine/app/app-service';
import { isReply, unwrapReply, type Reply } from '../../shared/api-reply';
import { dispatch } from '../../electron/engine/app/dispatch';
import { makeKeyHandlers, rememberingPassphraseSource, type KeyHandlers, type PassphraseMemory } from '../../electron/engine/app/key-handlers';
import { JsonSettingsStore } from '../../electron/engine/app/settings-store';
import { KeyStore } from '../../electron/engine/keys/key-store';
import { readOpenSshHeader } from '../../electron/engine/keys/openssh-private-format';

const work = mkdtempSync(join(tmpdir(), 'burrow-key-handlers-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const PASS = 'correct horse battery';
const SECRET = 'hunter2-never-shown';

function config(): BurrowConfig {
  const r = validateConfig({
    hosts: {
      test: { hostname: '127.0.0.1', port: 2222, user: 'henry' },
      jump: { hostname: '127.0.0.1', port: 2223, user: 'henry', hostKey: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
    },
    jobs: [
      { name: 'a', source: 'test', paths: ['/srv'], holdingDir: '/var/b', destination: { host: 'jump', path: '/backups' } },
      { name: 'b', source: 'test', paths: ['/etc'], holdingDir: '/var/b', destination: { host: 'jump', path: '/other' } },
    ],
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
}

/** A memory that keeps passphrases in a Map (the tests' stand-in for the keyring). */
class FakeMemory implements PassphraseMemory {
  readonly saved = new Map<string, { fingerprint: string; passphrase: string }>();
  readonly missed: string[] = [];
  constructor(private readonly remembers = true) {}
  status(): KeyringStatus {
    return this.remembers ? { remembers: true, backend: 'fake' } : { remembers: false, backend: 'basic_text', message: 'no keyring' };
  }
  has(name: string) {
    return this.saved.has(name);
  }
  async recall(name: string) {
    return this.saved.get(name);
  }
  async remember(name: string, fingerprint: string, passphrase: string) {
    if (!this.remembers) return false;
    this.saved.set(name, { fingerprint, passphrase });
    return true;
  }
  async forget(name: string) {
    this.saved.delete(name);
  }
  missing(name: string) {
    this.missed.push(name);
  }
}

let n = 0;
function setup(opts: { memory?: PassphraseMemory; config?: BurrowConfig | undefined; clock?: ManualClock } = {}) {
  const dir = join(work, `case-${++n}`);
  const store = new KeyStore({ dir: join(dir, 'keys'), kdfRounds: 4, ...(opts.clock ? { clock: opts.clock } : {}) });
  const changed = vi.fn(async () => {});
  const handlers: KeyHandlers = makeKeyHandlers({
    store: () => store,
    memory: () => opts.memory,
    configPath: () => join(dir, 'config.json'),
    config: () => ('config' in opts ? opts.config : config()),
    agents: () => undefined,
    configChanged: changed,
  });
  return { dir, store, handlers, changed };
}

/** An unencrypted and an encrypted OpenSSH key file written by ssh-keygen. */
function keyFile(name: string, passphrase = ''): string {
  const d = join(work, 'files');
  mkdirSync(d, { recursive: true });
  const path = join(d, `${name}-${++n}`);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', `file ${name}`, '-f', path]);
  return path;
}

/** The message of an error reply (or of a handler's rejection, when called directly). */
async function rejection(p: Promise<unknown>): Promise<string> {
  let settled: unknown;
  try {
    settled = await p;
  } catch (err) {
    return (err as Error).message;
  }
  if (isReply(settled) && !settled.ok) return settled.error.message;
  throw new Error('expected a rejection');
}

/** The value of an ok reply. */
async function value<T>(p: Promise<Reply<unknown>>): Promise<T> {
  return unwrapReply(await p) as T;
}

let logged: string[] = [];
beforeEach(() => {
  logged = [];
  for (const m of ['log', 'error', 'warn', 'info', 'debug'] as const) {
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' ')));
  }
});
afterEach(() => {
  vi.restoreAllMocks();
  expect(logged.join('\n')).not.toContain(SECRET);
  expect(logged.join('\n')).not.toContain(PASS);
});

describe('the key requests through the contract (dispatch)', () => {
  let svc: AppService;
  const root = join(work, 'svc');
  beforeEach(async () => {
    mkdirSync(join(root, 'state'), { recursive: true });
    svc = await AppService.open({
      configPath: join(root, 'config', 'config.json'),
      stateDir: join(root, 'state'),
      settings: new JsonSettingsStore(join(root, 'ui.json')),
      shell: 'web',
      schedule: false,
      env: {},
    });
  });
  afterEach(() => svc.shutdown());

  it.each([
    ['generateKey', { name: '../evil', passphrase: SECRET }, /generateKey: name: must be 1-64 letters/],
    ['generateKey', { name: 'id.pub', passphrase: SECRET }, /name: must not end in \.pub/],
    ['generateKey', { name: 'ok' }, /passphrase: give the passphrase/],
    ['generateKey', { name: 'ok', passphrase: '' }, /passphrase: give the passphrase/],
    ['generateKey', { name: 'ok', passphrase: SECRET, comment: 'two\nlines' }, /comment: must be one line/],
    ['generateKey', { name: 'ok', passphrase: SECRET, extra: 1 }, /extra/],
    ['importKey', { path: '' }, /path: name the key file/],
    ['unlockKey', { name: 'k', passphrase: SECRET, minutes: 0 }, /minutes: must be at least 1 minute/],
    ['unlockKey', { name: 'k', passphrase: SECRET, minutes: 1.5 }, /minutes: must be whole minutes/],
    ['unlockKey', { name: 'k', passphrase: SECRET, minutes: 99_999 }, /minutes: must be at most 10080 minutes/],
    ['installKey', { name: 'k', host: 'test', role: 'admin', password: SECRET }, /role: must be unrestricted, source or destination/],
    ['installKey', { name: 'k', host: 'test', role: 'source', password: '' }, /password: give the host's password/],
    ['installKey', { name: 'k', host: 'test', role: 'destination', password: SECRET, path: 'backups' }, /path: must be an absolute path/],
    ['installKey', { name: 'k', host: 'test', role: 'source', password: SECRET, fingerprint: 'MD5:aa' }, /fingerprint: must be a SHA256/],
    ['deleteKey', { name: '' }, /deleteKey: name:/],
  ])('%s %j is refused naming the field', async (name, args, message) => {
    const m = await rejection(dispatch(svc.handlers, name, args));
    expect(m).toMatch(message);
    expect(m).not.toContain(SECRET);
  });

  it('generates, lists (public parts only), unlocks, locks and deletes through the app', async () => {
    const k = await value<{ fingerprint: string }>(dispatch(svc.handlers, 'generateKey', { name: 'backup', passphrase: PASS, comment: 'laptop' }));
    expect(k.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    const list = await svc.handlers.listKeys({});
    expect(list.keys.map((x) => [x.name, x.fingerprint, x.comment, x.encrypted, x.unlocked])).toEqual([['backup', k.fingerprint, 'laptop', true, false]]);
    expect(list.keys[0]!.publicKeyLine).toMatch(/^ssh-ed25519 AAAA\S+ laptop$/);
    expect(JSON.stringify(list)).not.toMatch(/PRIVATE KEY|"path"/);
    expect(list.keyring.remembers).toBe(false);
    const wrong = await rejection(svc.handlers.unlockKey({ name: 'backup', passphrase: SECRET }));
    expect(wrong).toMatch(/key backup is encrypted: wrong or missing passphrase/);
    expect(wrong).not.toContain(SECRET);
    expect((await svc.handlers.unlockKey({ name: 'backup', passphrase: PASS, minutes: 5 })).unlocked).toBe(true);
    // The engine's agents use the same store: what the page unlocked is what a run signs with.
    expect(svc.keys().store.unlockedKey('backup')).toBeDefined();
    expect((await svc.handlers.lockKey({ name: 'backup' })).unlocked).toBe(false);
    expect(await svc.handlers.deleteKey({ name: 'backup' })).toEqual({ deleted: 'backup', fingerprint: k.fingerprint });
    expect((await svc.handlers.listKeys({})).keys).toEqual([]);
  }, 30_000); // three bcrypt-pbkdf runs at ssh-keygen's 16 rounds: slow on a busy machine

  it('install without a config says there is no host to install on', async () => {
    expect(await rejection(svc.handlers.installKey({ name: 'x', host: 'test', role: 'source', password: SECRET }))).toMatch(/^host: there is no valid config/);
  });
});

describe('key handlers', () => {
  it('generate refuses a taken name and an unknown key names it', async () => {
    const { handlers } = setup();
    await handlers.generateKey({ name: 'one', passphrase: PASS });
    expect(await rejection(handlers.generateKey({ name: 'one', passphrase: PASS }))).toMatch(/a key named "one" already exists/);
    for (const p of [
      () => handlers.deleteKey({ name: 'ghost' }),
      () => handlers.lockKey({ name: 'ghost' }),
      () => handlers.unlockKey({ name: 'ghost', passphrase: SECRET }),
    ]) {
      expect(await rejection(p())).toMatch(/no key named "ghost"/);
    }
  });

  it('import: a relative or missing path, a clear key without a store passphrase, an encrypted one without its own, each named', async () => {
    const { handlers } = setup();
    expect(await rejection(handlers.importKey({ path: 'id_ed25519', storePassphrase: PASS }))).toBe('path: "id_ed25519" must be an absolute path');
    const missing = join(work, 'no', 'such', 'id_rsa');
    expect(await rejection(handlers.importKey({ path: missing, storePassphrase: PASS }))).toBe(`path: cannot read ${missing}: no such file`);
    const notKey = join(work, 'not-a-key.txt');
    writeFileSync(notKey, 'hello\n');
    expect(await rejection(handlers.importKey({ path: notKey, storePassphrase: PASS }))).toMatch(/^path: .*not-a-key\.txt holds no OpenSSH or PEM private key/);
    const clear = keyFile('clear');
    expect(await rejection(handlers.importKey({ path: clear }))).toMatch(/^storePassphrase: .* is not encrypted/);
    const locked = keyFile('locked', SECRET);
    expect(await rejection(handlers.importKey({ path: locked }))).toMatch(/^passphrase: .* is encrypted: give its passphrase/);
    const wrong = await rejection(handlers.importKey({ path: locked, passphrase: 'not it' }));
    expect(wrong).toMatch(/wrong or missing passphrase/);
    expect(wrong).not.toContain('not it');
  });

  it('import stores both kinds encrypted, under the right passphrase', async () => {
    const { handlers } = setup();
    const a = await handlers.importKey({ path: keyFile('clear'), name: 'clear', storePassphrase: PASS });
    expect([a.name, a.encrypted, a.comment]).toEqual(['clear', true, 'file clear']);
    const b = await handlers.importKey({ path: keyFile('locked', SECRET), name: 'locked', passphrase: SECRET });
    expect(b.encrypted).toBe(true);
    expect((await handlers.unlockKey({ name: 'clear', passphrase: PASS })).unlocked).toBe(true);
    expect((await handlers.unlockKey({ name: 'locked', passphrase: SECRET })).unlocked).toBe(true);
  }, 30_000); // ssh-keygen's files use 16 bcrypt-pbkdf rounds

  it("the passphrase floor reaches the form's field: generate at passphrase, import at storePassphrase", async () => {
    const { handlers, store } = setup();
    expect(await rejection(handlers.generateKey({ name: 'k', passphrase: 'short' }))).toBe(
      'passphrase: the passphrase for key k is shorter than 12 characters: use at least 12, for example a few unrelated words',
    );
    expect(await rejection(handlers.importKey({ path: keyFile('clear'), name: 'c', storePassphrase: 'tiny' }))).toMatch(
      /^storePassphrase: the passphrase to store c under is shorter than 12 characters/,
    );
    expect(await store.list()).toEqual([]);
  });

  it("an import whose file has 1 bcrypt round is stored with the store's rounds, and the result says so", async () => {
    const { handlers, store } = setup();
    const path = keyFile('weak-kdf', SECRET);
    execFileSync('ssh-keygen', ['-q', '-p', '-a', '1', '-P', SECRET, '-N', SECRET, '-f', path]);
    expect(readOpenSshHeader(readFileSync(path, 'utf8')).rounds).toBe(1);
    const k = await handlers.importKey({ path, name: 'weak', passphrase: SECRET });
    expect(k.note).toBe(
      `${path} was encrypted with only 1 bcrypt-pbkdf round; Burrow stored it re-encrypted with 4, under the same passphrase (the file itself is unchanged: ssh-keygen -p -a 4 -f ${path} strengthens it too)`,
    );
    expect(readOpenSshHeader(readFileSync(store.pathOf('weak'), 'utf8')).rounds).toBe(4);
    expect((await handlers.unlockKey({ name: 'weak', passphrase: SECRET })).unlocked).toBe(true);
  }, 30_000);

  it('an unlock with a time limit ends when the time is up', async () => {
    const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
    const { handlers } = setup({ clock });
    await handlers.generateKey({ name: 'k', passphrase: PASS });
    expect((await handlers.unlockKey({ name: 'k', passphrase: PASS, minutes: 2 })).unlocked).toBe(true);
    clock.advance(119_000);
    expect((await handlers.listKeys({})).keys[0]!.unlocked).toBe(true);
    clock.advance(2_000);
    expect((await handlers.listKeys({})).keys[0]!.unlocked).toBe(false);
  });

  it('install refuses, naming the field, before any connection is tried', async () => {
    const { handlers } = setup();
    await handlers.generateKey({ name: 'k', passphrase: PASS });
    const base = { name: 'k', password: SECRET } as const;
    const cases: [() => Promise<unknown>, RegExp][] = [
      [() => handlers.installKey({ ...base, host: 'nowhere', role: 'source' }), /^host: no host named "nowhere" in the config \(hosts: test, jump\)/],
      [() => handlers.installKey({ ...base, name: 'ghost', host: 'test', role: 'source' }), /no key named "ghost"/],
      [() => handlers.installKey({ ...base, host: 'test', role: 'source', path: '/backups' }), /^path: only a destination key/],
      [() => handlers.installKey({ ...base, host: 'jump', role: 'destination' }), /^path: say which directory .*\/backups, \/other/],
      [() => handlers.installKey({ ...base, host: 'test', role: 'source' }), /^fingerprint: test has no pinned host key.*no password was sent/],
    ];
    for (const [p, re] of cases) {
      const m = await rejection(p());
      expect(m).toMatch(re);
      expect(m).not.toContain(SECRET);
    }
  });

  it('lists the hosts with their pins and destination paths', async () => {
    const { handlers } = setup();
    const { hosts } = await handlers.listKeys({});
    expect(hosts.map((h) => [h.name, h.pinned, h.destinationPaths])).toEqual([
      ['test', false, []],
      ['jump', true, ['/backups', '/other']],
    ]);
    expect((await setup({ config: undefined }).handlers.listKeys({})).hosts).toEqual([]);
  });
});

describe('remembered passphrases', () => {
  it('remember on generate and unlock keeps the passphrase for that key; lock and delete forget it', async () => {
    const memory = new FakeMemory();
    const { handlers } = setup({ memory });
    const k = await handlers.generateKey({ name: 'k', passphrase: PASS, remember: true });
    expect(k.remembered).toBe(true);
    expect(memory.saved.get('k')).toEqual({ fingerprint: k.fingerprint, passphrase: PASS });
    await handlers.lockKey({ name: 'k' });
    expect(memory.has('k')).toBe(false);
    await handlers.unlockKey({ name: 'k', passphrase: PASS, remember: true });
    expect(memory.has('k')).toBe(true);
    await handlers.deleteKey({ name: 'k' });
    expect(memory.has('k')).toBe(false);
  });

  it('without a keyring nothing is remembered and the status says why', async () => {
    const memory = new FakeMemory(false);
    const { handlers } = setup({ memory });
    const k = await handlers.generateKey({ name: 'k', passphrase: PASS, remember: true });
    expect(k.remembered).toBe(false);
    expect(memory.saved.size).toBe(0);
    expect((await handlers.listKeys({})).keyring).toEqual({ remembers: false, backend: 'basic_text', message: 'no keyring' });
  });

  it('the run-time source gives a remembered passphrase only to the key it was remembered for, then the environment, then asks', async () => {
    const memory = new FakeMemory();
    const { handlers, store } = setup({ memory });
    await handlers.generateKey({ name: 'k', passphrase: PASS, remember: true });
    const env = { passphraseFor: vi.fn(async () => undefined as string | undefined) };
    const source = rememberingPassphraseSource(store, memory, env);
    expect(await source.passphraseFor('k')).toBe(PASS);
    // The key is replaced by another of the same name: the old passphrase is dropped.
    await store.remove('k');
    await store.generate('k', { passphrase: 'another passphrase entirely' });
    expect(await source.passphraseFor('k')).toBeUndefined();
    expect(memory.has('k')).toBe(false);
    expect(memory.missed).toEqual(['k']);
    env.passphraseFor.mockResolvedValueOnce('from-env');
    expect(await source.passphraseFor('k')).toBe('from-env');
  });
});
