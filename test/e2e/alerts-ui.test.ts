/**
 * Settings' alert channels in Debian's Chromium against `burrow serve`: a
 * channel's "Send a test" reaches a real HTTP server, a channel whose server
 * is down says why, a bad URL is named under its field by the config's
 * schema, and a job's laptop rules are saved to the file.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort, startHttpRecorder, type HttpRecorder } from '../fixtures/alert-servers';
import { launchBrowser, openPage, screenshot, type WatchedPage } from './browser';
import { startServe, type ServeProcess } from './serve-process';

let browser: Browser;
let http: HttpRecorder;
let serve: ServeProcess | undefined;
let current: WatchedPage | undefined;

beforeAll(async () => {
  [browser, http] = await Promise.all([launchBrowser(), startHttpRecorder()]);
});
afterAll(async () => {
  await current?.page.context().close();
  await serve?.stop();
  await browser?.close();
  await http?.close();
});

it('alert channels: Send a test, a down server named, schema messages per field, laptop rules saved', async () => {
  const down = await freePort();
  const dir = join(tmpdir(), `burrow-e2e-alerts-${Math.random().toString(16).slice(2)}`);
  mkdirSync(dir, { recursive: true });
  const host = { hostname: '127.0.0.1', port: 22, user: 'nobody' };
  serve = await startServe(dir, {
    hosts: { src: host, dst: host },
    jobs: [{ name: 'daily', source: 'src', paths: ['/srv/data'], holdingDir: '/srv/hold', destination: { host: 'dst', path: '/backups' } }],
    alerts: {
      channels: [
        { type: 'webhook', name: 'chat', preset: 'slack', url: `${http.url}/hooks/x` },
        { type: 'webhook', name: 'broken', preset: 'ntfy', url: `http://127.0.0.1:${down}/burrow` },
      ],
    },
  });
  current = await openPage(browser, { height: 1400 });
  const { page } = current;
  await page.goto(serve.url);
  await page.getByRole('navigation').getByRole('button', { name: 'Settings' }).click();
  await page.getByTestId('alerts-section').waitFor();
  await expect.poll(() => page.getByTestId('channel-status-0').textContent()).toBe('Nothing sent yet.');

  await page.getByTestId('channel-test-0').click();
  await expect.poll(() => page.getByTestId('channel-result-chat').textContent()).toBe('Test sent');
  expect(http.requests.map((r) => [r.path, (JSON.parse(r.body) as { text: string }).text.split('\n')[0]])).toEqual([['/hooks/x', '*Burrow: test notice*']]);
  await expect.poll(() => page.getByTestId('channel-status-0').textContent()).toMatch(/^Working: last delivery/);

  await page.getByTestId('channel-test-1').click();
  await expect.poll(() => page.getByTestId('channel-result-broken').textContent()).toBe(`webhook broken to 127.0.0.1:${down}: ECONNREFUSED`);

  await page.getByTestId('channel-url-0').fill('ftp://example.com/x');
  await expect.poll(() => page.getByTestId('channel-0').textContent()).toContain('must start with http:// or https://');
  await page.getByTestId('channel-url-0').fill(`${http.url}/hooks/x`);

  await page.getByTestId('job-onbattery-0').selectOption('defer');
  await page.getByTestId('job-minbattery-0').fill('120');
  await expect.poll(() => page.getByTestId('job-0').textContent()).toContain('must be 0 to 100 (percent)');
  await page.getByTestId('job-minbattery-0').fill('25');
  await screenshot(page, 'settings-alerts');
  await page.getByTestId('save-config').click();
  await page.getByTestId('save-ok').waitFor();
  const saved = JSON.parse(readFileSync(join(dir, 'config', 'burrow', 'config.json'), 'utf8')) as { jobs: Record<string, unknown>[] };
  expect(saved.jobs[0]).toMatchObject({ onBattery: 'defer', minBatteryPercent: 25 });
  expect(current.errors).toEqual([]);
});
