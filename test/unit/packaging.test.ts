/**
 * The packaging config, checked by electron-builder's own validation (the
 * step it runs before it would download Electron), without packaging.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { FuseV1Options } from '@electron/fuses';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const ROOT = join(import.meta.dirname, '..', '..');
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  getConfig(dir: string, path: string | null, fromOptions: unknown): Promise<Record<string, any>>;
  validateConfiguration(config: unknown, logger: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
const { PlatformPackager } = require('app-builder-lib') as {
  PlatformPackager: { prototype: { generateFuseConfig(fuses: unknown): Promise<Record<string | number, unknown>> } };
};

/**
 * The fuses Burrow ships with, and why: another process of the same user must
 * not run code inside the app (which holds the remembered passphrases), and
 * the app code must be the asar archive that was packaged.
 */
const FUSES = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  enableCookieEncryption: true,
} as const;
/** The same fuses by their @electron/fuses names, as electron-builder writes them into the binary. */
const WIRE: Record<keyof typeof FUSES, FuseV1Options> = {
  runAsNode: FuseV1Options.RunAsNode,
  enableNodeOptionsEnvironmentVariable: FuseV1Options.EnableNodeOptionsEnvironmentVariable,
  enableNodeCliInspectArguments: FuseV1Options.EnableNodeCliInspectArguments,
  enableEmbeddedAsarIntegrityValidation: FuseV1Options.EnableEmbeddedAsarIntegrityValidation,
  onlyLoadAppFromAsar: FuseV1Options.OnlyLoadAppFromAsar,
  enableCookieEncryption: FuseV1Options.EnableCookieEncryption,
};

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

  describe('Electron fuses', () => {
    it.each(Object.entries(FUSES) as [keyof typeof FUSES, boolean][])(
      '%s is %s, in the schema and in the fuse wire electron-builder writes',
      async (name, value) => {
        const config = await getConfig(ROOT, join(ROOT, 'electron-builder.yml'), null);
        await validateConfiguration(config, new DebugLogger(false));
        expect(config.electronFuses?.[name], `electronFuses.${name} in electron-builder.yml`).toBe(value);
        // The schema knows this very name (a misspelt one would be dropped by electron-builder, not flipped).
        await expect(validateConfiguration({ ...config, electronFuses: { ...config.electronFuses, [name]: 'yes' } }, new DebugLogger(false))).rejects.toThrow(
          new RegExp(`electronFuses[\\s\\S]*${name}|${name}[\\s\\S]*boolean`),
        );
        // And electron-builder's own step turns it into the @electron/fuses option it flips in the binary.
        const wire = await PlatformPackager.prototype.generateFuseConfig.call({}, config.electronFuses);
        expect(wire[WIRE[name]]).toBe(value);
      },
    );

    it('a misspelt fuse is rejected by the schema', async () => {
      const config = await getConfig(ROOT, join(ROOT, 'electron-builder.yml'), null);
      await expect(validateConfiguration({ ...config, electronFuses: { ...config.electronFuses, runAsnode: false } }, new DebugLogger(false))).rejects.toThrow(
        /Invalid configuration object/,
      );
    });
  });
});
