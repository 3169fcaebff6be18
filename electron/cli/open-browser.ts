/**
 * Opens a URL in the person's browser where a desktop session exists
 * (`open` on macOS; `xdg-open` on Linux with a DISPLAY or WAYLAND_DISPLAY),
 * and does nothing elsewhere: a server or an SSH login has no browser to
 * open, and the URL is printed anyway.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

function onPath(program: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const full = join(dir, program);
    try {
      accessSync(full, constants.X_OK);
      return full;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The program that opens a URL in this session, or undefined where there is no desktop to open it on. */
export function desktopOpener(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | undefined {
  if (platform === 'darwin') return onPath('open', env) ?? '/usr/bin/open';
  if (platform !== 'linux' && platform !== 'freebsd' && platform !== 'openbsd') return undefined;
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return undefined;
  return onPath('xdg-open', env);
}

/**
 * Starts the opener on `url`, detached (the browser outlives Burrow's
 * terminal); true when it was started. Its failure is told, never thrown.
 */
export function openInBrowser(
  url: string,
  log: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): boolean {
  const opener = desktopOpener(env, platform);
  if (!opener) return false;
  try {
    const child = spawn(opener, [url], { detached: true, stdio: 'ignore', env });
    child.on('error', (err) => log(`burrow: could not open the browser with ${opener}: ${err.message}; open the URL above yourself`));
    child.unref();
    return true;
  } catch (err) {
    log(`burrow: could not open the browser with ${opener}: ${(err as Error).message}; open the URL above yourself`);
    return false;
  }
}
