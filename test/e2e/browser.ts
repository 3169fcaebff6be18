/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser),
 * with every page's console errors collected so a test can fail on them, and
 * screenshots kept as test artifacts in test-results/e2e/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import type { ServeProcess } from './serve-process';

export const CHROMIUM = process.env.BURROW_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-results', 'e2e');

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

export interface WatchedPage {
  page: Page;
  /** console.error messages and uncaught page errors seen so far. */
  errors: string[];
}

export async function openPage(
  browser: Browser,
  opts: { width?: number; height?: number; colorScheme?: 'light' | 'dark'; bypassCSP?: boolean } = {},
): Promise<WatchedPage> {
  // bypassCSP only where axe-core is injected (an inline script the app's CSP would refuse).
  const context = await browser.newContext({
    viewport: { width: opts.width ?? 1000, height: opts.height ?? 700 },
    colorScheme: opts.colorScheme ?? 'light',
    ...(opts.bypassCSP ? { bypassCSP: true } : {}),
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(err.message));
  return { page, errors };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * A test's end: its page closed and its `burrow serve` stopped, then the
 * test fails on any console error the page saw. Returns what serve printed,
 * for checks of its own (a secret that must not appear, say).
 */
export async function closeTestPage(page: WatchedPage | undefined, serve: ServeProcess | undefined): Promise<string> {
  const errors = page?.errors ?? [];
  await page?.page.context().close();
  const output = serve?.output() ?? '';
  await serve?.stop();
  expect(errors, 'console errors on the page').toEqual([]);
  return output;
}
