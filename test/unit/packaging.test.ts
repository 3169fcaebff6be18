/**
 * The packaging config, checked by electron-builder's own validation (the
 * step it runs before it would download Electron), without packaging.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const ROOT = join(import.meta.dirname, '..', '..');
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  getConfig(dir: string, path: string | null, fromOptions: unknown): Promise<Record<string, any>>;
  validateConfiguration(config: unknown, logger: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

describe('electron-builder.yml', () => {
  it('passes electron-builder schema validation, with AppImage, deb, dmg and nsis targets', async () => {
    const config = await getConfig(ROOT, join(ROOT, 'electron-builder.yml'), null);
    await validateConfiguration(config, new DebugLogger(false));
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
  });

  it('the validator really rejects a wrong field (so the pass above means something)', async () => {
    const config = await getConfig(ROOT, join(ROOT, 'electron-builder.yml'), null);
    await expect(validateConfiguration({ ...config, linux: { ...config.linux, targett: 'deb' } }, new DebugLogger(false))).rejects.toThrow(
      /Invalid configuration object/,
    );
  });

  it('every icon it names exists, and each tray state has 16, 22 and 32 px icons', async () => {
    const config = await getConfig(ROOT, join(ROOT, 'electron-builder.yml'), null);
    for (const p of [config.linux.icon, config.mac.icon, config.win.icon]) expect(existsSync(join(ROOT, p))).toBe(true);
    for (const state of ['setup', 'ok', 'running', 'tunnel', 'failed', 'missed', 'paused']) {
      for (const size of [16, 22, 32]) expect(existsSync(join(ROOT, 'build', 'tray', `${state}-${size}.png`))).toBe(true);
    }
  });

  it('electron and electron-builder are dev dependencies, and main points at the bundled shell', () => {
    const pkg = require('../../package.json') as { main: string; dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(pkg.devDependencies.electron).toBeDefined();
    expect(pkg.devDependencies['electron-builder']).toBeDefined();
    expect(pkg.dependencies.electron).toBeUndefined();
    expect(pkg.main).toBe('dist/electron/main.cjs');
  });
});
