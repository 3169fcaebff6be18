/**
 * System users for the netns hosts. useradd/userdel/chpasswd all lock
 * /etc/passwd and /etc/shadow, so calls are serialised within this process and
 * retried when another process holds the lock.
 */
import { readFileSync } from 'node:fs';
import { describeFailure, run, type ExecResult } from './run';

let queue: Promise<unknown> = Promise.resolve();

/** Run `fn` after every previously queued user-database operation. */
function serialised<T>(fn: () => Promise<T>): Promise<T> {
  const next = queue.then(fn, fn);
  queue = next.catch(() => undefined);
  return next;
}

async function runWithLockRetry(argv: string[], input?: string): Promise<ExecResult> {
  for (let attempt = 0; ; attempt++) {
    const r = await run(argv, { input, timeoutMs: 30_000 });
    const lockBusy = /lock|try again/i.test(r.stderr);
    if (r.code === 0 || !lockBusy || attempt >= 100) return r;
    await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 30));
  }
}

/** uid/gid of a freshly created user. */
export interface CreatedUser {
  uid: number;
  gid: number;
}

/** Look a user up in /etc/passwd (no NSS: lab users are always local). */
export function passwdEntry(name: string): CreatedUser | undefined {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const f = line.split(':');
    if (f[0] === name) return { uid: Number(f[2]), gid: Number(f[3]) };
  }
  return undefined;
}

/**
 * `useradd -M -d HOME -s /bin/sh -p '*' NAME`: no home created (the lab makes
 * it), password field `*` so the account is usable for key logins but not
 * locked (a `!` password makes sshd refuse even public keys without PAM).
 */
export function createUser(name: string, home: string): Promise<CreatedUser> {
  return serialised(async () => {
    const argv = ['useradd', '-M', '-d', home, '-s', '/bin/sh', '-p', '*', name];
    const r = await runWithLockRetry(argv);
    if (r.code !== 0) throw new Error(describeFailure(argv, r));
    const entry = passwdEntry(name);
    if (!entry) throw new Error(`useradd ${name} succeeded but the user is not in /etc/passwd`);
    return entry;
  });
}

/** Set a clear-text password with chpasswd. */
export function setPassword(name: string, password: string): Promise<void> {
  return serialised(async () => {
    const argv = ['chpasswd'];
    const r = await runWithLockRetry(argv, `${name}:${password}\n`);
    if (r.code !== 0) throw new Error(describeFailure(argv, r));
  });
}

/** `userdel -f NAME` (which also removes the user's group); a missing user is not an error. */
export function deleteUser(name: string): Promise<void> {
  return serialised(async () => {
    if (!passwdEntry(name)) return;
    const argv = ['userdel', '-f', name];
    const r = await runWithLockRetry(argv);
    if (r.code !== 0 && passwdEntry(name)) throw new Error(describeFailure(argv, r));
  });
}
