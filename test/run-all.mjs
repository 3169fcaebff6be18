#!/usr/bin/env node
// `npm test`: checks the system programs the lab needs, installs them with
// apt-get when it can (root on Debian/Ubuntu), or stops with one line naming
// what to install; then type-checks and runs every test project.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** program -> Debian package */
const NEEDS = {
  '/usr/sbin/sshd': 'openssh-server',
  ssh: 'openssh-client',
  'ssh-keygen': 'openssh-client',
  rsync: 'rsync',
  bzip2: 'bzip2',
  zstd: 'zstd',
  tar: 'tar',
  ip: 'iproute2',
  nft: 'nftables',
  ss: 'iproute2',
  runuser: 'util-linux',
  unshare: 'util-linux',
  getfattr: 'attr',
  setfacl: 'acl', // the demo test, as root from a private checkout, gives its temporary user passage
  gzip: 'gzip',
  '/usr/bin/chromium': 'chromium',
  visudo: 'sudo',
};

function has(program) {
  if (program.startsWith('/')) return existsSync(program);
  return spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
}

function missingPackages() {
  return [
    ...new Set(
      Object.entries(NEEDS)
        .filter(([p]) => !has(p))
        .map(([, pkg]) => pkg),
    ),
  ];
}

let missing = missingPackages();
if (missing.length > 0) {
  const isRoot = process.getuid?.() === 0;
  if (isRoot && has('apt-get')) {
    console.log(`npm test: installing ${missing.join(' ')} with apt-get`);
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    missing = missingPackages();
  }
  if (missing.length > 0) {
    console.error(`npm test: missing programs; install them with: sudo apt-get install ${missing.join(' ')}`);
    process.exit(1);
  }
}

function step(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

step('npx', ['--no-install', 'prettier', '--check', '--log-level', 'warn', '.']); // the committed formatting (npm run format fixes it)
step('npx', ['--no-install', 'tsc', '-b']);
step('npx', ['--no-install', 'tsc', '-p', 'bench']); // the benchmark is not run here, but it must compile
// The UI the end-to-end tests drive, and the Electron bundles electronegativity reads.
step('npx', ['--no-install', 'vite', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn']);
step('node', ['electron/build-electron.mjs']);
const tests = spawnSync('npx', ['--no-install', 'vitest', 'run', ...process.argv.slice(2)], { stdio: 'inherit' });
// The reliability table is written from what the suite measured, pass or fail.
spawnSync('node', ['test/reliability/write-report.mjs'], { stdio: 'inherit' });
process.exit(tests.status ?? 1);
