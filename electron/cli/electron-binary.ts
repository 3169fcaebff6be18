/**
 * Where the Electron binary is, found without `require('electron')` (which
 * would try to download it on the spot).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export function electronPackageDir(): string | undefined {
  try {
    return dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return undefined;
  }
}

export function electronBinary(): { path?: string; reason?: string } {
  const dir = electronPackageDir();
  if (!dir) return { reason: 'the electron package is not installed (run npm ci)' };
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return { reason: "Electron's binary has not been downloaded (it comes from outside the npm registry at first start)" };
  const bin = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? { path: bin } : { reason: `Electron's binary is missing at ${bin}` };
}
