/**
 * The real tray app, driven by Playwright's Electron support. It runs only
 * where the Electron binary could be downloaded (`npx electron --version`
 * works); elsewhere it is skipped with the reason printed.
 */
import { mkdtempSync } from 'node:fs';
import { electronBinary } from '../../electron/cli/electron-binary';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { screenshot } from './browser';

const ROOT = join(import.meta.dirname, '..', '..');

const binary = electronBinary();
if (binary.reason) console.warn(`skipping the Electron app test: ${binary.reason}`);

describe('the Electron app', () => {
  it.skipIf(binary.reason !== undefined)('opens on the welcome page with no config, with a hardened window', async () => {
    const home = mkdtempSync(join(tmpdir(), 'burrow-electron-'));
    const app = await _electron.launch({
      executablePath: binary.path!,
      args: [join(ROOT, 'dist', 'electron', 'main.cjs'), '--no-sandbox'],
      env: { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_STATE_HOME: join(home, '.state') },
    });
    try {
      const page = await app.firstWindow();
      await page.getByTestId('welcome').waitFor({ timeout: 30_000 });
      expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
      expect(await page.evaluate(() => typeof (globalThis as { burrow?: { getState?: unknown } }).burrow?.getState)).toBe('function');
      expect(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
      await screenshot(page, 'electron-welcome');
    } finally {
      await app.close();
    }
  });
});
