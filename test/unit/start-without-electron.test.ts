/**
 * `npm start` where Electron's binary cannot be fetched: one sentence instead
 * of the installer's stack, the failure remembered so the next start does
 * not try (and wait) again, another try only with --retry-electron; and the
 * browser opened on the URL only where a desktop session exists.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FAILURE_FILE, FAILURE_LOG, fetchElectronOnce, shortReason } from '../../electron/cli/electron-binary';
import { desktopOpener, openInBrowser } from '../../electron/cli/open-browser';
import { waitFor } from '../../electron/lab/wait-for';

const work = mkdtempSync(join(tmpdir(), 'burrow-start-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A stand-in electron package whose install.js counts its runs and fails as the real one does offline, or succeeds. */
function fakeElectron(name: string, behaviour: 'fail' | 'succeed', version = '45.5.0'): { pkgDir: string; runs: () => number } {
  const pkgDir = join(work, name, 'electron');
  mkdirSync(pkgDir, { recursive: true });
  writeFileSync(join(pkgDir, 'package.json'), JSON.stringify({ name: 'electron', version }));
  const counter = join(pkgDir, 'runs');
  writeFileSync(
    join(pkgDir, 'install.js'),
    `const fs = require('fs'); const path = require('path');
fs.appendFileSync(${JSON.stringify(counter)}, 'x');
if (${JSON.stringify(behaviour)} === 'fail') {
  console.error('TypeError: fetch failed\\n    at node:internal/deps/undici/undici:13510:13\\n    at async getDownloadUrl (/x/node_modules/@electron/get/dist/cjs/index.js:1:1)');
  process.exit(1);
}
fs.mkdirSync(path.join(__dirname, 'dist'), { recursive: true });
fs.writeFileSync(path.join(__dirname, 'dist', 'electron'), '#!/bin/sh\\n', { mode: 0o755 });
fs.writeFileSync(path.join(__dirname, 'path.txt'), 'electron');
`,
  );
  return { pkgDir, runs: () => (existsSync(counter) ? readFileSync(counter, 'utf8').length : 0) };
}

describe('fetching Electron once', () => {
  it('says a failed download in one sentence, keeps the stack in a log, and does not try again until asked', () => {
    const { pkgDir, runs } = fakeElectron('offline', 'fail');
    const stateDir = join(work, 'offline', 'state');
    const said: string[] = [];
    const first = fetchElectronOnce({ pkgDir, stateDir, retry: false, log: (l) => said.push(l) });
    expect(first.path).toBeUndefined();
    expect(first.reason).toBe(
      `Electron's binary could not be downloaded (fetch failed; it comes from outside the npm registry, details in ${join(stateDir, FAILURE_LOG)}); run \`burrow start --retry-electron\` to try again`,
    );
    expect(said).toEqual(['burrow: fetching the Electron binary (first start only)...']);
    expect(`${first.reason}${said.join('')}`).not.toMatch(/TypeError|\n|\s at /);
    expect(readFileSync(join(stateDir, FAILURE_LOG), 'utf8')).toContain('at async getDownloadUrl');
    expect(runs()).toBe(1);

    // The next start remembers it: no second download attempt, and it says how to ask for one.
    const second = fetchElectronOnce({ pkgDir, stateDir, retry: false, log: (l) => said.push(l) });
    expect(runs()).toBe(1);
    expect(second.reason).toMatch(
      /^Electron's binary could not be downloaded on \d{4}-\d\d-\d\d \(fetch failed\); run `burrow start --retry-electron` to try again$/,
    );

    // --retry-electron tries again.
    fetchElectronOnce({ pkgDir, stateDir, retry: true, log: () => {} });
    expect(runs()).toBe(2);
  });

  it('a new electron version is worth another try, and a success forgets the failure', () => {
    const stateDir = join(work, 'upgrade', 'state');
    const old = fakeElectron('upgrade-old', 'fail', '45.5.0');
    fetchElectronOnce({ pkgDir: old.pkgDir, stateDir, retry: false, log: () => {} });
    expect(existsSync(join(stateDir, FAILURE_FILE))).toBe(true);
    const updated = fakeElectron('upgrade-new', 'succeed', '45.6.0');
    const got = fetchElectronOnce({ pkgDir: updated.pkgDir, stateDir, retry: false, log: () => {} });
    expect(updated.runs()).toBe(1);
    expect(got.path).toBe(join(updated.pkgDir, 'dist', 'electron'));
    expect(existsSync(join(stateDir, FAILURE_FILE))).toBe(false);
  });

  it('reads the reason from the first line that is not a stack frame', () => {
    expect(shortReason('TypeError: fetch failed\n    at x (y:1:1)\n', 1, false)).toBe('fetch failed');
    expect(shortReason('HTTPError: Response code 404 (Not Found)\n', 1, false)).toBe('Response code 404 (Not Found)');
    expect(shortReason('', 7, false)).toBe('the installer exited with status 7');
    expect(shortReason('whatever', null, true)).toBe('the download timed out');
  });
});

describe('opening the browser', () => {
  it('only where a desktop session exists', () => {
    const bin = join(work, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'xdg-open'), '#!/bin/sh\n', { mode: 0o755 });
    expect(desktopOpener({ PATH: bin }, 'linux')).toBeUndefined(); // an SSH login, a server
    expect(desktopOpener({ PATH: bin, DISPLAY: ':0' }, 'linux')).toBe(join(bin, 'xdg-open'));
    expect(desktopOpener({ PATH: bin, WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toBe(join(bin, 'xdg-open'));
    expect(desktopOpener({ PATH: join(work, 'nothing-here'), DISPLAY: ':0' }, 'linux')).toBeUndefined();
    expect(desktopOpener({ PATH: bin }, 'darwin')).toMatch(/\/open$/);
    expect(openInBrowser('http://127.0.0.1:1/', () => {}, { PATH: bin }, 'linux')).toBe(false);
  });

  it('runs xdg-open on the URL, detached', async () => {
    const bin = join(work, 'bin-record');
    mkdirSync(bin, { recursive: true });
    const seen = join(work, 'opened.txt');
    writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > ${JSON.stringify(seen)}\n`);
    chmodSync(join(bin, 'xdg-open'), 0o755);
    const url = 'http://127.0.0.1:8123/?token=abc';
    expect(openInBrowser(url, () => {}, { PATH: `${bin}:/usr/bin:/bin`, DISPLAY: ':0' }, 'linux')).toBe(true);
    await waitFor(() => existsSync(seen) && readFileSync(seen, 'utf8') === url, { timeoutMs: 5000, what: 'xdg-open to be run on the URL' });
  });
});
