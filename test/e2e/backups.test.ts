/**
 * The Backups page in Debian's Chromium against `burrow serve` and the real
 * lab, for a snapshot job and an archive job: the day is listed, its tree
 * opens a directory at a time, a search finds a file, and Restore brings
 * that one file back to the laptop, byte for byte. A job whose destination
 * is out of reach shows why as a message. Any console error (a 4xx or 5xx
 * answer among them) fails the test.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock';
import { validateConfig, type BurrowConfig } from '../../shared/config-schema';
import { Engine } from '../../electron/engine/engine';
import { startLab, type Lab } from '../../electron/lab/lab';
import { day, labConfig, writeSampleTree } from '../engine/fixtures';
import { closeTestPage, launchBrowser, openPage, screenshot, type WatchedPage } from './browser';
import { startServe, type ServeProcess } from './serve-process';

let lab: Lab;
let browser: Browser;
let serve: ServeProcess | undefined;
let current: WatchedPage | undefined;
let dir: string;
let config: BurrowConfig;

beforeAll(async () => {
  [lab, browser] = await Promise.all([startLab(), launchBrowser()]);
  writeSampleTree(join(lab.source.home, 'data', 'projects'), 1);
  await lab.source.own(join(lab.source.home, 'data'));
  const base = labConfig(lab);
  const daily = base.jobs[0]!;
  const dest = (name: string) => join(lab.destination.home, name);
  for (const d of ['snaps', 'archives']) mkdirSync(dest(d), { recursive: true });
  await lab.destination.own(lab.destination.home);
  const r = validateConfig({
    ...base,
    hosts: {
      ...base.hosts,
      nowhere: { hostname: '127.0.0.1', port: 1, user: 'nobody', identityFile: lab.clientKey.privateKeyPath, hostKey: base.hosts.destination!.hostKey },
    },
    jobs: [
      { ...daily, name: 'snaps', format: 'snapshot', destination: { host: 'destination', path: dest('snaps') } },
      { ...daily, name: 'tarballs', format: 'archive', compression: 'gzip', destination: { host: 'destination', path: dest('archives') } },
      { ...daily, name: 'unreachable', format: 'snapshot', destination: { host: 'nowhere', path: '/backups' } },
    ],
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  config = r.config;
  // A day of backups for each job, in the state the served UI reads.
  dir = join(lab.dir, 'e2e-backups');
  const engine = await Engine.open({ config, stateDir: join(dir, 'state', 'burrow'), clock: new ManualClock(day(0)) });
  for (const job of ['snaps', 'tarballs']) expect((await engine.runNow(job)).error).toBeUndefined();
  await engine.shutdown();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await lab?.stop();
});
afterEach(async () => {
  const [page, server] = [current, serve];
  current = serve = undefined;
  await closeTestPage(page, server);
});

async function openBackups(): Promise<WatchedPage> {
  serve = await startServe(dir, config);
  current = await openPage(browser, { width: 1100, height: 800 });
  await current.page.goto(serve.url);
  await current.page.getByRole('navigation').getByRole('button', { name: 'Backups' }).click();
  return current;
}

describe('the Backups page', () => {
  it.each([
    ['snaps', 'snapshot'],
    ['tarballs', 'archive'],
  ])('%s (%s): browse a day, search a file name, restore that one file to the laptop', async (job, format) => {
    const { page } = await openBackups();
    await page.getByTestId('backups-job').selectOption(job);
    const row = page.getByTestId('backup-row');
    await expect.poll(async () => ((await row.count()) === 1 ? await row.first().textContent() : ''), { timeout: 30_000 }).toContain(format);
    expect(await row.first().getAttribute('data-day')).toBe('2026-11-26');
    // The newest day opens in the browser; directories open one at a time.
    await page.getByTestId('open-projects').click();
    await page.getByTestId('open-projects/sub').click();
    await page.locator('[data-testid="tree-entry"][data-path="projects/sub/data.bin"]').waitFor({ timeout: 30_000 });
    await screenshot(page, `backups-${format}-tree`);

    await page.getByTestId('search-input').fill('data.bin');
    await page.getByTestId('search-go').click();
    await page.locator('[data-testid="search-hit"][data-path="projects/sub/data.bin"]').waitFor({ timeout: 30_000 });
    await page.getByTestId('search-restore-2026-11-26-projects/sub/data.bin').click();
    const into = join(lab.dir, `ui-restore-${format}`);
    await page.getByTestId('restore-dir').fill(into);
    await page.getByTestId('restore-go').click();
    await expect.poll(() => page.getByTestId('restore-result').textContent(), { timeout: 60_000 }).toMatch(/Restored projects\/sub\/data\.bin into .*1 file/);
    await screenshot(page, `backups-${format}-restored`);
    expect(readFileSync(join(into, 'projects', 'sub', 'data.bin'))).toEqual(readFileSync(join(lab.source.home, 'data', 'projects', 'sub', 'data.bin')));
    // Again into the same place: refused as a message, nothing overwritten.
    await page.getByTestId('restore-go').click();
    await expect.poll(() => page.getByTestId('restore-error').textContent(), { timeout: 30_000 }).toContain('not overwritten');
  });

  it("Settings: a job's format change says what happens to its backups and asks; Set up destination says what it would do", async () => {
    const { page } = await openBackups();
    await page.getByRole('navigation').getByRole('button', { name: 'Settings' }).click();
    await page.getByTestId('job-format-0').selectOption('archive');
    await expect.poll(() => page.getByTestId('destination-changes').textContent()).toMatch(/snaps changes from snapshot to archive .* stay as they are/);
    expect(await page.getByTestId('save-config').isDisabled()).toBe(true);
    await page.getByTestId('destination-changes-ok').check();
    expect(await page.getByTestId('save-config').isDisabled()).toBe(false);
    await page.getByTestId('setup-destination-snaps').click();
    await expect.poll(() => page.getByTestId('setup-preview').textContent(), { timeout: 30_000 }).toContain('already set up for job snaps (snapshot)');
    await screenshot(page, 'settings-destination-change');
  });

  it('a destination out of reach is said in words, not a server error', async () => {
    const { page } = await openBackups();
    await page.getByTestId('backups-job').selectOption('unreachable');
    await expect.poll(() => page.getByTestId('backups-error').textContent(), { timeout: 30_000 }).toMatch(/refused|unreachable|reach/i);
    await screenshot(page, 'backups-unreachable');
  });
});
