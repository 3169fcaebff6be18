/**
 * The UI in Debian's Chromium against `burrow serve` and the real lab: Run
 * now with the live tunnel and progress, schedule validation in Settings,
 * the missed-run banner after the laptop was off, and the token. Every page
 * is screenshotted into test-results/e2e/, and any console error fails.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeLine } from '../../electron/engine/state/journal';
import { labConfig, writeSampleTree } from '../engine/fixtures';
import { startLab, type Lab } from '../../electron/lab/lab';
import { closeTestPage, launchBrowser, openPage, screenshot, type WatchedPage } from './browser';
import { startServe, type ServeProcess } from './serve-process';

let lab: Lab;
let browser: Browser;
let serve: ServeProcess | undefined;
let current: WatchedPage | undefined;

beforeAll(async () => {
  [lab, browser] = await Promise.all([startLab(), launchBrowser()]);
  writeSampleTree(join(lab.source.home, 'data', 'projects'), 1);
  writeSampleTree(join(lab.source.home, 'data', 'projects', 'bulk'), 2, 2_500_000);
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

function newDir(): string {
  const dir = join(lab.dir, `e2e-${Math.random().toString(16).slice(2)}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function open(config: object | undefined, prepare?: (dir: string) => void, size?: { width: number; height: number }): Promise<WatchedPage> {
  const dir = newDir();
  prepare?.(dir);
  serve = await startServe(dir, config);
  current = await openPage(browser, size ?? {});
  await current.page.goto(serve.url);
  return current;
}

const nav = (w: WatchedPage, name: string) => w.page.getByRole('navigation').getByRole('button', { name });

describe('the status window in a browser', () => {
  it('Run now: the tunnel comes up, progress moves, the run succeeds and appears in history', async () => {
    const { page } = await open(labConfig(lab, { bwlimitKiBps: 1500 }));
    await page.getByTestId('run-now-daily').click();
    await expect.poll(() => page.getByTestId('tunnel-daily').textContent(), { timeout: 30_000 }).toMatch(/up.*port \d+/i);
    await expect
      .poll(async () => Number((await page.getByTestId('progress-daily').textContent())?.match(/(\d+)%/)?.[1] ?? 0), { timeout: 30_000 })
      .toBeGreaterThan(0);
    await screenshot(page, 'status-running');
    await expect.poll(() => page.getByTestId('step-daily-verify').getAttribute('data-status'), { timeout: 60_000 }).toBe('ok');
    await expect.poll(() => page.getByTestId('tunnel-daily').textContent(), { timeout: 10_000 }).toBe('Tunnel opens at the next run');
    await expect.poll(() => page.getByTestId('run-now-daily').isEnabled(), { timeout: 10_000 }).toBe(true);
    await screenshot(page, 'status');
    await nav(current!, 'History').click();
    await expect.poll(() => page.getByTestId('history-row').first().getAttribute('data-status'), { timeout: 10_000 }).toBe('succeeded');
    await page.getByTestId('history-chart').waitFor();
    await screenshot(page, 'history');
    await page.getByTestId('history-row').first().click();
    await expect.poll(() => page.getByTestId('run-detail').textContent()).toContain('rsync');
    await screenshot(page, 'run-detail');
    await nav(current!, 'Backups').click();
    await expect.poll(() => page.getByTestId('backup-row').count(), { timeout: 30_000 }).toBe(1);
    await page.getByTestId('verify-all').click();
    await expect.poll(() => page.getByTestId('verify-result').textContent(), { timeout: 30_000 }).toMatch(/All 1 passed/);
    const backupDay = (await page.getByTestId('backup-row').getAttribute('data-day'))!;
    await page.getByTestId(`restore-day-${backupDay}`).click();
    await page.getByTestId('restore-dir').fill(join(lab.dir, 'ui-restore'));
    await page.getByTestId('restore-go').click();
    await expect.poll(() => page.getByTestId('restore-result').textContent(), { timeout: 30_000 }).toContain(`into ${join(lab.dir, 'ui-restore')}`);
    await screenshot(page, 'backups');
    await nav(current!, 'Check').click();
    await page.getByTestId('check-run').click();
    await expect.poll(() => page.getByTestId('hop-row').count(), { timeout: 30_000 }).toBe(8);
    expect(await page.locator('[data-testid="hop-row"][data-status="pass"]').count()).toBe(8);
    await screenshot(page, 'check');
  });

  it('Settings: an invalid cron and an invalid port are refused by the engine, whose words stand at each field; a valid one is saved', async () => {
    const { page } = await open(labConfig(lab));
    await nav(current!, 'Settings').click();
    const input = page.getByTestId('schedule-input-0');
    await input.fill('61 12 * * *');
    await page.getByTestId('host-port-0').fill('99999');
    await expect.poll(() => page.getByTestId('schedule-error-0').textContent()).toMatch(/^Schedule has the minute "61" out of range/);
    // Save anyway: the engine refuses through the reply envelope, and its problems go to the fields they name.
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/saveConfig'));
    await page.getByTestId('save-config').click();
    const reply = (await (await answered).json()) as { ok: boolean; error: { problems: { path: string; message: string }[] } };
    expect(reply.ok).toBe(false);
    const said = (path: string) => reply.error.problems.find((p) => p.path === path)?.message;
    expect(said('jobs[0].schedule')).toMatch(/minute "61" out of range: it must be 0-59/);
    expect(said('hosts.source.port')).toBeTruthy();
    await expect.poll(() => page.locator('section.settings').getAttribute('data-problems-from')).toBe('engine');
    expect(await page.getByTestId('schedule-error-0').textContent()).toContain(said('jobs[0].schedule'));
    expect(await page.getByTestId('host-port-error-0').textContent()).toContain(said('hosts.source.port'));
    await screenshot(page, 'settings-invalid');
    await page.getByTestId('host-port-0').fill(String(lab.source.port));
    await input.fill('15 3 * * *');
    await expect.poll(() => page.getByTestId('schedule-preview-0').textContent()).toMatch(/03:15|3:15/);
    await page.getByTestId('save-config').click();
    await page.getByTestId('save-ok').waitFor();
    await screenshot(page, 'settings');
    await nav(current!, 'Status').click();
    await expect.poll(() => page.getByTestId('job-card-daily').textContent()).toMatch(/03:15/);
  });

  it('after the laptop was off, a missed-run banner offers Run now, and the run clears it', async () => {
    const threeDaysAgo = Date.now() - 3 * 86_400_000;
    const { page } = await open(labConfig(lab), (dir) => {
      // What a laptop that was last on three days ago leaves behind.
      const state = join(dir, 'state', 'burrow');
      mkdirSync(state, { recursive: true });
      writeFileSync(join(state, 'heartbeat.json'), JSON.stringify({ spans: [{ instance: 'old', from: threeDaysAgo - 3_600_000, to: threeDaysAgo }] }));
      writeFileSync(join(state, 'history.jsonl'), encodeLine({ t: 'checked', job: 'daily', until: new Date(threeDaysAgo).toISOString() }));
    });
    const banner = page.getByTestId('missed-banner');
    await banner.waitFor({ timeout: 15_000 });
    expect(await banner.textContent()).toMatch(/missed/i);
    expect(await banner.textContent()).toMatch(/off/i);
    await screenshot(page, 'status-missed');
    await page.getByTestId('missed-run-now').click();
    await banner.waitFor({ state: 'detached', timeout: 60_000 });
  });

  it('rejects API requests without the token', async () => {
    const { page } = await open(undefined);
    const res = await page.request.post(`http://127.0.0.1:${serve!.port}/api/getState`, { data: {}, headers: { 'Content-Type': 'application/json' } });
    expect(res.status()).toBe(401);
    const ok = await page.request.post(`http://127.0.0.1:${serve!.port}/api/getState`, { data: {}, headers: { Authorization: `Bearer ${serve!.token}` } });
    expect(ok.status()).toBe(200);
    await page.getByTestId('welcome').waitFor();
    await screenshot(page, 'welcome');
  });

  it('a newcomer: the welcome page for an empty config starts the demo, and a successful run appears', async () => {
    const { page } = await open(undefined);
    await page.getByTestId('welcome').waitFor();
    await page.getByTestId('welcome-demo').click();
    await page.getByTestId('job-card-demo').waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByTestId('step-demo-verify').getAttribute('data-status'), { timeout: 90_000 }).toBe('ok');
    await nav(current!, 'History').click();
    await expect.poll(() => page.getByTestId('history-row').first().getAttribute('data-status'), { timeout: 10_000 }).toBe('succeeded');
    await screenshot(page, 'demo-history');
  });

  it('keeps working at 800x600 in the dark theme', async () => {
    const dir = newDir();
    serve = await startServe(dir, labConfig(lab));
    current = await openPage(browser, { width: 800, height: 600, colorScheme: 'dark' });
    await current.page.goto(serve.url);
    await current.page.getByTestId('job-card-daily').waitFor();
    const overflow = await current.page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    const bg = await current.page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
    const [r, g, b] = bg.match(/\d+/g)!.map(Number);
    expect((r! + g! + b!) / 3).toBeLessThan(100);
    await screenshot(current.page, 'status-800x600-dark');
  });
});
