/**
 * The window as a new user meets it, in Debian's Chromium against `burrow
 * serve` and the lab: every page at 800x600 and 1280x800 in light and dark
 * (screenshots in test-results/e2e/, nothing sticking out sideways, no
 * serious axe-core violation, contrast among them); tabbing through Settings
 * at 800x600 never leaves the focused control hidden; a long run reads as a
 * headline, "X of Y" and a steady time left, and Cancel shows within a
 * second and keeps the bytes moved; History filters by result; the
 * retention preview is shared/retention's choice.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { applyRetention } from '../../shared/retention';
import { startLab, type Lab } from '../../electron/lab/lab';
import { labConfig, writeSampleTree, pseudoRandom } from '../engine/fixtures';
import { closeTestPage, launchBrowser, openPage, screenshot, type WatchedPage } from './browser';
import { startServe, type ServeProcess } from './serve-process';
import { focusedIsVisible, horizontalOverflow, seriousViolations } from './window-checks';

let lab: Lab;
let browser: Browser;
let serve: ServeProcess | undefined;
let current: WatchedPage | undefined;

const SIZES = [
  { width: 800, height: 600 },
  { width: 1280, height: 800 },
] as const;
const THEMES = ['light', 'dark'] as const;

beforeAll(async () => {
  [lab, browser] = await Promise.all([startLab(), launchBrowser()]);
  writeSampleTree(join(lab.source.home, 'data', 'projects'), 1);
  // A tree that takes several seconds through a 1500 KiB/s limit: 12 MB that do not compress.
  const long = join(lab.source.home, 'data', 'long');
  mkdirSync(long, { recursive: true });
  for (let i = 0; i < 4; i++) writeFileSync(join(long, `part-${i}.bin`), pseudoRandom(3_000_000, 10 + i));
  await lab.source.own(join(lab.source.home, 'data'));
});
afterAll(async () => {
  await browser?.close();
  await lab?.stop();
});
afterEach(async () => {
  const [page, server] = [current, serve];
  current = serve = undefined;
  await closeTestPage(page, server);
});

async function open(config: object | undefined, opts: Parameters<typeof openPage>[1] = {}): Promise<Page> {
  const dir = join(lab.dir, `e2e-w-${Math.random().toString(16).slice(2)}`);
  mkdirSync(dir, { recursive: true });
  serve = await startServe(dir, config);
  current = await openPage(browser, opts);
  await current.page.goto(serve.url);
  return current.page;
}

const nav = (page: Page, name: string) => page.getByRole('navigation').getByRole('button', { name });

/** Screenshots, the sideways check and axe at both sizes in both themes, for the page as it is now. */
async function checkEverywhere(page: Page, name: string): Promise<void> {
  for (const size of SIZES) {
    for (const colorScheme of THEMES) {
      await page.setViewportSize(size);
      await page.emulateMedia({ colorScheme });
      const where = `${name} at ${size.width}x${size.height} ${colorScheme}`;
      await screenshot(page, `${name}-${size.width}x${size.height}-${colorScheme}`);
      const overflow = await horizontalOverflow(page);
      expect(overflow.scroll, `${where}: the page scrolls sideways`).toBeLessThanOrEqual(0);
      expect(overflow.elements, `${where}: elements past the right edge`).toEqual([]);
      expect(await seriousViolations(page), `${where}: serious axe violations`).toEqual([]);
    }
  }
}

describe('the window explains itself', () => {
  it('every page at 800x600 and 1280x800, light and dark: nothing sideways, no serious axe violation', async () => {
    const page = await open(labConfig(lab), { bypassCSP: true });
    await page.getByTestId('run-now-daily').click();
    await expect.poll(() => page.getByTestId('run-now-daily').isEnabled(), { timeout: 60_000 }).toBe(true);
    await expect.poll(() => page.getByTestId('job-card-daily').textContent()).toMatch(/succeeded/);
    await checkEverywhere(page, 'status');

    await nav(page, 'History').click();
    await page.getByTestId('history-row').first().waitFor();
    // The chart is a picture of the table: none of it is in the Tab order.
    expect(
      await page
        .locator('[data-testid="history-chart"] [tabindex]:not([tabindex="-1"]), [data-testid="history-chart"] a, [data-testid="history-chart"] button')
        .count(),
    ).toBe(0);
    await checkEverywhere(page, 'history');
    await page.getByTestId('history-row').first().click();
    await page.getByTestId('run-log').waitFor();
    await checkEverywhere(page, 'run-detail');

    await nav(page, 'Backups').click();
    await page.getByTestId('backup-row').first().waitFor({ timeout: 30_000 });
    await checkEverywhere(page, 'backups');

    await nav(page, 'Check').click();
    await page.getByTestId('check-run').click();
    await expect.poll(() => page.getByTestId('hop-row').count(), { timeout: 30_000 }).toBe(8);
    // The tunnel as the check found it: both hops open, and the port the source bound.
    expect(await page.getByTestId('check-diagram').getAttribute('data-source')).toBe('up');
    expect(await page.getByTestId('check-diagram').getAttribute('data-destination')).toBe('up');
    expect(await page.getByTestId('check-diagram-port').textContent()).toMatch(/^listens on 127\.0\.0\.1:\d+$/);
    await checkEverywhere(page, 'check');

    await nav(page, 'Keys').click();
    await page.getByRole('heading', { name: 'Keys' }).waitFor();
    await checkEverywhere(page, 'keys');

    await nav(page, 'Settings').click();
    await page.getByTestId('save-config').waitFor();
    await checkEverywhere(page, 'settings');
  });

  it('the welcome page, and a config not written yet shows no unsaved changes', async () => {
    const page = await open(undefined, { bypassCSP: true });
    await page.getByTestId('welcome').waitFor();
    await checkEverywhere(page, 'welcome');
    await page.getByTestId('welcome-manual').click();
    await page.getByTestId('save-config').waitFor();
    expect(await page.locator('.save-bar').textContent()).not.toMatch(/unsaved/i);
    // Nothing to ask about: leaving goes straight away.
    await nav(page, 'Status').click();
    await page.getByTestId('welcome').waitFor();
  });

  it('tabbing through Settings at 800x600 never leaves the focused control hidden', async () => {
    const page = await open(labConfig(lab), { width: 800, height: 600 });
    await nav(page, 'Settings').click();
    await page.getByTestId('save-config').waitFor();
    const stops = await page.locator('button, input, select, textarea, [tabindex="0"]').count();
    const seen: string[] = [];
    for (let i = 0; i < stops + 2; i++) {
      await page.keyboard.press('Tab');
      const f = await focusedIsVisible(page);
      if (!f) continue;
      seen.push(f.what);
      expect(f.ok, `focused ${f.what} is covered by ${f.hit}`).toBe(true);
    }
    expect(seen.length).toBeGreaterThan(30);
    expect(seen.some((s) => s.includes('fetch-host-key-0')) && seen.some((s) => s.includes('add-job'))).toBe(true);
  });

  it('Settings: a bad port and a bad cron are told in words at their fields; leaving with an edit asks first', async () => {
    const page = await open(labConfig(lab));
    await nav(page, 'Settings').click();
    await page.getByTestId('host-port-0').fill('99999');
    await page.getByTestId('schedule-input-0').fill('61 25 * * *');
    await expect.poll(() => page.getByTestId('host-port-error-0').textContent()).toBe('Port must be between 1 and 65535 (it is 99999)');
    await expect.poll(() => page.getByTestId('schedule-error-0').textContent()).toMatch(/^Schedule has the minute "61" out of range: it must be 0-59/);
    const list = (await page.getByTestId('config-problems-list').textContent()) ?? '';
    expect(list).toContain('Host “source”: port must be between 1 and 65535');
    expect(list).not.toMatch(/Too big|Invalid input|expected number/);
    await screenshot(page, 'settings-worded-problems');

    await nav(page, 'Status').click();
    await page.getByTestId('leave-dialog').waitFor();
    await screenshot(page, 'settings-leave-dialog');
    await page.getByTestId('leave-stay').click();
    await expect.poll(() => page.getByTestId('host-port-0').inputValue()).toBe('99999');
    await nav(page, 'History').click();
    await page.getByTestId('leave-discard').click();
    await page.getByRole('heading', { name: 'History' }).waitFor();
  });

  it('the retention preview is shared/retention’s choice over 400 daily backups', async () => {
    const page = await open(labConfig(lab));
    await nav(page, 'Settings').click();
    await page.getByTestId('job-retention-mode-0-rules').check();
    await page.getByTestId('job-keepdaily-0').fill('10');
    await page.getByTestId('job-keepweekly-0').fill('6');
    await page.getByTestId('job-keepmonthly-0').fill('18');
    await page.getByTestId('job-keepwithin-0').fill('3w');
    const shown = ((await page.getByTestId('retention-preview-0').getAttribute('data-kept')) ?? '').split(',');
    const today = new Date();
    const stamp = (d: Date) => `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
    const names = Array.from({ length: 400 }, (_, i) => `x.${stamp(new Date(today.getFullYear(), today.getMonth(), today.getDate() - i))}.tar.bz2`);
    const engine = applyRetention(names, { keepDaily: 10, keepWeekly: 6, keepMonthly: 18, keepWithin: '3w' }, stamp(today));
    expect(shown).toEqual(
      engine.keep
        .map((k) => k.stamp)
        .sort()
        .reverse(),
    );
    expect(await page.getByTestId('retention-preview-0').textContent()).toContain(`keeps ${engine.keep.length} of 400 daily backups`);
  });

  it('a long run: headline, X of Y, a steady time left; Cancel shows within a second and the record keeps the bytes moved', async () => {
    const page = await open(labConfig(lab, { paths: [join(lab.source.home, 'data', 'long')], bwlimitKiBps: 1500 }));
    await page.getByTestId('run-now-daily').click();
    const headline = page.getByTestId('run-headline-daily');
    await expect.poll(() => headline.textContent(), { timeout: 60_000 }).toBe('Running: transfer (7 of 10)');
    await expect.poll(() => page.getByTestId('progress-amount-daily').textContent(), { timeout: 20_000 }).toMatch(/^[\d.]+ [kMG]?B of [\d.]+ [kMG]?B sent$/);
    await page.getByTestId('tunnel-diagram-daily').waitFor();
    expect(await page.getByTestId('tunnel-diagram-daily-port').textContent()).toMatch(/127\.0\.0\.1:\d+/);
    // The time left, sampled for 3 s: once there, it stays, and it never jumps up.
    await page.getByTestId('progress-eta-daily').waitFor({ timeout: 20_000 });
    const seconds: number[] = [];
    for (let i = 0; i < 12; i++) {
      const text = await page.getByTestId('progress-eta-daily').textContent({ timeout: 500 });
      const m = /about (\d+) (s|min)/.exec(text ?? '') ?? (/almost done/.test(text ?? '') ? ['', '0', 's'] : undefined);
      expect(m, `time left "${text}"`).toBeTruthy();
      seconds.push(Number(m![1]) * (m![2] === 'min' ? 60 : 1));
      await page.waitForTimeout(250);
    }
    for (let i = 1; i < seconds.length; i++)
      expect(seconds[i]!, `time left ${seconds.join(', ')}`).toBeLessThanOrEqual(Math.max(seconds[i - 1]! * 1.5, seconds[i - 1]! + 5));
    await screenshot(page, 'status-long-run');

    const asked = Date.now();
    await page.getByTestId('cancel-daily').click();
    await expect.poll(() => headline.textContent(), { timeout: 1000 }).toMatch(/^Cancelling/);
    expect(Date.now() - asked).toBeLessThan(1000);
    await screenshot(page, 'status-cancelling');
    await expect.poll(() => page.getByTestId('job-card-daily').textContent(), { timeout: 30_000 }).toMatch(/cancelled/);
    await expect.poll(() => page.getByTestId('run-now-daily').isEnabled(), { timeout: 10_000 }).toBe(true);
    expect(await page.getByTestId('job-card-daily').textContent()).not.toMatch(/Cancelling/);

    await nav(page, 'History').click();
    await page.getByTestId('history-row').first().waitFor();
    await page.getByTestId('filter-status').selectOption('succeeded');
    await expect.poll(() => page.getByTestId('history-empty').textContent()).toMatch(/No runs match/);
    await page.getByTestId('filter-status').selectOption('cancelled');
    await expect.poll(() => page.getByTestId('history-row').count()).toBe(1);
    expect(await page.getByTestId('history-row').getAttribute('data-status')).toBe('cancelled');
    const sent = (await page.getByTestId('history-sent').textContent()) ?? '';
    expect(sent, 'bytes moved before the cancel').toMatch(/^[\d.]+ [kMG]?B$/);
    await screenshot(page, 'history-cancelled');
  });
});
