import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { stateDir } from '../../engine/paths';
import { electronBinary, electronPackageDir, fetchElectronOnce } from '../electron-binary';
import { appRoot } from '../app-root';
import type { CommandContext } from '../main';
import { openInBrowser } from '../open-browser';
import { demoCommand } from './demo';
import { ensureRendererBuilt, serveCommand } from './serve';

/**
 * `burrow start` (`npm start`): the tray app where Electron can run. Where
 * its binary cannot be had, the same UI in the browser instead (opened for
 * you where there is a desktop): `serve` on your config, or the demo when
 * there is no config yet. A failed download of the binary is remembered
 * and tried again only with `--retry-electron`.
 */
export async function startCommand(ctx: CommandContext): Promise<number> {
  const { io } = ctx;
  let bin = electronBinary();
  const pkg = electronPackageDir();
  if (!bin.path && pkg && existsSync(join(pkg, 'install.js'))) {
    bin = fetchElectronOnce({ pkgDir: pkg, stateDir: stateDir(), retry: ctx.values['retry-electron'] === true, log: io.err });
  }
  if (bin.path) {
    await ensureRendererBuilt(io.err);
    const built = spawnSync(process.execPath, [join(appRoot(), 'electron', 'build-electron.mjs')], { stdio: 'inherit' });
    if (built.status !== 0) return 1;
    const child = spawn(bin.path, [appRoot()], { stdio: 'inherit', env: { ...process.env, BURROW_CONFIG: ctx.configPath } });
    return new Promise((r) => child.once('exit', (code) => r(code ?? 1)));
  }
  io.err(`burrow: the tray app cannot start here: ${bin.reason}.`);
  const onUrl = (url: string) => {
    if (openInBrowser(url, io.err)) io.err('burrow: opened it in your browser.');
  };
  if (existsSync(ctx.configPath)) {
    io.err('burrow: starting the same UI in your browser instead (burrow serve).');
    return serveCommand(ctx, { onUrl });
  }
  io.err(`burrow: no config yet at ${ctx.configPath}: starting the demo with the web UI (burrow demo --serve).`);
  return demoCommand({ ...ctx, values: { ...ctx.values, serve: true } }, { onUrl });
}
