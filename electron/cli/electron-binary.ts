/**
 * Where the Electron binary is, found without `require('electron')` (which
 * would try to download it on the spot), and fetching it once: the binary
 * comes from outside the npm registry, so where that cannot be reached the
 * failure is said in one sentence, its details go to a log file, and it is
 * remembered so the next start does not wait for the same failure again.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export function electronPackageDir(): string | undefined {
  try {
    return dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return undefined;
  }
}

export function electronBinary(dir: string | undefined = electronPackageDir()): { path?: string; reason?: string } {
  if (!dir) return { reason: 'the electron package is not installed (run npm ci)' };
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return { reason: "Electron's binary has not been downloaded (it comes from outside the npm registry at first start)" };
  const bin = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? { path: bin } : { reason: `Electron's binary is missing at ${bin}` };
}

/** What a failed download leaves in the state dir, so later starts do not repeat it. */
interface FetchFailure {
  at: string;
  /** The electron package's version: a new one is worth another try. */
  version: string;
  reason: string;
}

export interface FetchOptions {
  /** The electron package (its install.js downloads the binary). */
  pkgDir: string;
  /** Where the failure is remembered and its log kept. */
  stateDir: string;
  /** Try again even though the last try failed (`burrow start --retry-electron`). */
  retry: boolean;
  log: (line: string) => void;
  timeoutMs?: number;
}

export const FAILURE_FILE = 'electron-fetch-failed.json';
export const FAILURE_LOG = 'electron-fetch.log';

function packageVersion(pkgDir: string): string {
  try {
    return (JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The first line of the installer's output that is not a stack frame, without the error's class: "fetch failed". */
export function shortReason(output: string, status: number | null, timedOut: boolean): string {
  if (timedOut) return 'the download timed out';
  const line = output
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '' && !l.startsWith('at ') && !/^node:internal/.test(l));
  return (line ?? `the installer exited with status ${status}`).replace(/^[A-Za-z]*Error:\s*/, '').slice(0, 200);
}

/**
 * Electron's binary, downloaded by the electron package's own installer if
 * it is not there yet, unless an earlier download of the same version failed
 * and `retry` is not set. Never throws; a failure comes back as a reason.
 */
export function fetchElectronOnce(opts: FetchOptions): { path?: string; reason?: string } {
  const marker = join(opts.stateDir, FAILURE_FILE);
  const logFile = join(opts.stateDir, FAILURE_LOG);
  const version = packageVersion(opts.pkgDir);
  const retryHint = 'run `burrow start --retry-electron` to try again';
  if (!opts.retry) {
    try {
      const last = JSON.parse(readFileSync(marker, 'utf8')) as FetchFailure;
      if (last.version === version) {
        return { reason: `Electron's binary could not be downloaded on ${last.at.slice(0, 10)} (${last.reason}); ${retryHint}` };
      }
    } catch {
      // no failure remembered (or an unreadable note of one): try
    }
  }
  opts.log('burrow: fetching the Electron binary (first start only)...');
  const run = spawnSync(process.execPath, [join(opts.pkgDir, 'install.js')], {
    cwd: opts.pkgDir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: opts.timeoutMs ?? 180_000,
  });
  const found = electronBinary(opts.pkgDir);
  if (run.status === 0 && found.path) {
    rmSync(marker, { force: true });
    return found;
  }
  const output = `${run.stderr ?? ''}\n${run.stdout ?? ''}${run.error ? `\n${run.error.message}` : ''}`;
  const reason = shortReason(output, run.status, (run.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT');
  try {
    mkdirSync(opts.stateDir, { recursive: true });
    writeFileSync(logFile, `${new Date().toISOString()} node ${join(opts.pkgDir, 'install.js')} (electron ${version}), status ${run.status}\n${output}\n`);
    writeFileSync(marker, `${JSON.stringify({ at: new Date().toISOString(), version, reason } satisfies FetchFailure)}\n`);
  } catch {
    // Not remembered: the next start tries again, which is only slower.
  }
  return { reason: `Electron's binary could not be downloaded (${reason}; it comes from outside the npm registry, details in ${logFile}); ${retryHint}` };
}
