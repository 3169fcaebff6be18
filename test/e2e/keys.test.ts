/**
 * The Keys page in Debian's Chromium against `burrow serve`: generate a key
 * (its SHA256 fingerprint appears in the table and is the store's), unlock
 * it for five minutes and lock it, delete it after the confirmation (gone
 * from the table and the disk); the install form at 800x600 in the dark
 * theme (each role explained, no password sent to an unpinned host, the
 * password cleared after use); and the API naming the path of a key file
 * that does not exist. The passphrase never shows in serve's output, and
 * any console error fails a test.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeTestPage, launchBrowser, openPage, screenshot, type WatchedPage } from './browser';
import { startServe, type ServeProcess } from './serve-process';

const PASSPHRASE = `pp-${Math.random().toString(16).slice(2)}-secret`;
let work: string;
let browser: Browser;
let serve: ServeProcess | undefined;
let current: WatchedPage | undefined;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'burrow-e2e-keys-'));
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});
afterEach(async () => {
  const [page, server] = [current, serve];
  current = serve = undefined;
  expect(await closeTestPage(page, server), "burrow serve's output").not.toContain(PASSPHRASE);
});

async function open(size?: { width: number; height: number; colorScheme?: 'light' | 'dark' }, config?: object): Promise<{ w: WatchedPage; dir: string }> {
  const dir = join(work, `case-${Math.random().toString(16).slice(2)}`);
  mkdirSync(dir, { recursive: true });
  serve = await startServe(dir, config);
  current = await openPage(browser, size ?? {});
  await current.page.goto(serve.url);
  await current.page.getByRole('navigation').getByRole('button', { name: 'Keys' }).click();
  await current.page.getByRole('heading', { name: 'Keys' }).waitFor();
  return { w: current, dir };
}

const keysDir = (dir: string) => join(dir, 'config', 'burrow', 'keys');

async function api(
  name: string,
  args: object,
): Promise<{ status: number; body: { ok: boolean; value?: unknown; error?: { message: string; problems?: { path: string; message: string }[] } } }> {
  const res = await current!.page.request.post(`http://127.0.0.1:${serve!.port}/api/${name}`, {
    data: args,
    headers: { Authorization: `Bearer ${serve!.token}`, 'Content-Type': 'application/json' },
  });
  return {
    status: res.status(),
    body: (await res.json()) as { ok: boolean; value?: unknown; error?: { message: string; problems?: { path: string; message: string }[] } },
  };
}

describe('the Keys page', () => {
  it('generates a key, shows its SHA256 fingerprint, and deletes it after a confirmation', async () => {
    const { w, dir } = await open();
    const { page } = w;
    await page.getByTestId('keys-empty').waitFor();
    await page.getByTestId('keys-generate').click();
    await page.getByLabel('Name').fill('backup');
    await page.getByLabel('Comment').fill('e2e laptop');
    await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await page.getByLabel('Passphrase again').fill(`${PASSPHRASE}x`);
    // Two different passphrases: the form says so and will not submit.
    await expect.poll(() => page.getByTestId('generate-form').textContent()).toContain('The two passphrases differ.');
    expect(await page.getByTestId('generate-form-submit').isDisabled()).toBe(true);
    // A passphrase below the key store's floor: its message lands at the passphrase field.
    await page.getByLabel('Passphrase', { exact: true }).fill('short');
    await page.getByLabel('Passphrase again').fill('short');
    await page.getByTestId('generate-form-submit').click();
    await expect.poll(() => page.getByTestId('generate-passphrase-error').textContent()).toContain('shorter than 12 characters');
    expect(await page.getByTestId('generate-form-error').count()).toBe(0); // said at the field, not twice
    await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await page.getByLabel('Passphrase again').fill(PASSPHRASE);
    await page.getByTestId('generate-form-submit').click();

    const row = page.locator('[data-testid="key-row"][data-name="backup"]');
    await row.waitFor();
    const fingerprint = (await page.getByTestId('key-fingerprint-backup').textContent())?.trim();
    expect(fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(await row.textContent()).toContain('e2e laptop');
    expect(await page.getByTestId('key-state-backup').textContent()).toContain('locked');
    expect(await page.getByTestId('keys-status').textContent()).toContain(fingerprint);
    // The table shows what the store holds: the same fingerprint from the API, an encrypted file on disk.
    const listed = await api('listKeys', {});
    expect((listed.body.value as { keys: { name: string; fingerprint: string }[] }).keys).toEqual([expect.objectContaining({ name: 'backup', fingerprint })]);
    const stored = readFileSync(join(keysDir(dir), 'backup'), 'utf8');
    expect(stored).toContain('BEGIN OPENSSH PRIVATE KEY');
    expect(stored).not.toContain(PASSPHRASE);
    await screenshot(page, 'keys');

    // Unlock for a while, then lock again: the state column follows, and the form's passphrase is gone.
    await page.getByTestId('unlock-backup').click();
    await page.getByTestId('unlock-passphrase').fill(PASSPHRASE);
    await page.getByLabel('Time limit (minutes)').fill('5');
    await page.getByTestId('unlock-form-submit').click();
    await expect.poll(() => page.getByTestId('key-state-backup').textContent()).toBe('unlocked');
    expect(await page.getByTestId('keys-status').textContent()).toBe('Unlocked backup for 5 minutes.');
    await page.getByTestId('lock-backup').click();
    await expect.poll(() => page.getByTestId('key-state-backup').textContent()).toBe('locked');

    await page.getByTestId('delete-backup').click();
    const confirm = page.getByRole('alertdialog', { name: 'Delete backup?' });
    await confirm.waitFor();
    expect(await confirm.textContent()).toContain(fingerprint);
    await screenshot(page, 'keys-delete-confirm');
    await page.getByTestId('confirm-delete').click();
    await row.waitFor({ state: 'detached' });
    await page.getByTestId('keys-empty').waitFor();
    expect(await page.getByTestId('keys-status').textContent()).toBe(`Deleted backup (${fingerprint}).`);
    expect(existsSync(join(keysDir(dir), 'backup'))).toBe(false);
  });

  it('at 800x600 in the dark theme: the install form explains each role, and the password is cleared after use', async () => {
    const config = {
      hosts: {
        src: { hostname: '127.0.0.1', port: 1, user: 'henry' },
        dst: { hostname: '127.0.0.1', port: 1, user: 'backup', hostKey: `SHA256:${'A'.repeat(43)}` },
      },
      jobs: [{ name: 'daily', source: 'src', paths: ['/srv/data'], holdingDir: '/var/backups', destination: { host: 'dst', path: '/backups' } }],
    };
    const { w } = await open({ width: 800, height: 600, colorScheme: 'dark' }, config);
    const { page } = w;
    expect(
      (await api('generateKey', { name: 'wide-key-name-for-layout', passphrase: PASSPHRASE, comment: 'a rather long comment for the layout check' })).status,
    ).toBe(200);
    // Visited again, the page lists the key the API just made.
    await page.getByRole('navigation').getByRole('button', { name: 'Status' }).click();
    await page.getByRole('navigation').getByRole('button', { name: 'Keys' }).click();
    await page.locator('[data-testid="key-row"][data-name="wide-key-name-for-layout"]').waitFor();
    await page.getByTestId('install-wide-key-name-for-layout').click();
    const form = page.getByTestId('install-form');
    await form.waitFor();
    for (const role of ['Unrestricted', 'Source', 'Destination']) {
      const radio = form.getByRole('radio', { name: role });
      expect(await radio.getAttribute('aria-describedby'), `${role} has its explanation`).toBeTruthy();
    }
    expect(await form.textContent()).toContain('rsync only (through rrsync)');
    // An unpinned host: no password goes anywhere before its fingerprint is confirmed.
    await form.getByLabel('Password of henry@127.0.0.1').fill('not-sent');
    expect(await page.getByTestId('install-form-submit').isDisabled()).toBe(true);
    await form.getByRole('radio', { name: 'Destination' }).check();
    expect(await page.getByTestId('install-path').getAttribute('placeholder')).toBe('/backups');
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    const bg = await page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
    const [r, g, b] = bg.match(/\d+/g)!.map(Number);
    expect((r! + g! + b!) / 3).toBeLessThan(100);
    await screenshot(page, 'keys-install-800x600-dark');

    // A pinned host that refuses the connection: the attempt fails, and the password field is empty again.
    await page.getByTestId('install-host').selectOption('dst');
    const password = form.getByLabel('Password of backup@127.0.0.1');
    await password.fill(PASSPHRASE);
    await page.getByTestId('install-form-submit').click();
    await expect.poll(() => page.getByTestId('install-form-error').textContent({ timeout: 30_000 })).toMatch(/dst|127\.0\.0\.1/);
    expect(await password.inputValue()).toBe('');
  });

  it('the API refuses to import a key file that does not exist, naming its path', async () => {
    await open();
    const missing = join(work, 'nowhere', 'id_ed25519');
    const res = await api('importKey', { path: missing, storePassphrase: PASSPHRASE });
    // A refusal is an answer: 200 with ok: false, the message, and the field it is about.
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(false);
    expect(res.body.error?.message).toBe(`path: cannot read ${missing}: no such file`);
    expect(res.body.error?.problems).toEqual([{ path: 'path', message: `cannot read ${missing}: no such file` }]);
    const bad = await api('importKey', { path: missing, storePassphrase: 42 });
    expect(bad.status).toBe(200);
    expect(bad.body.error?.message).toMatch(/^bad arguments for importKey: storePassphrase: /);
    expect(bad.body.error?.problems?.[0]?.path).toBe('storePassphrase');
  });
});
