/**
 * The programs a machine needs to run the demo lab (and the tests), and the
 * exact command that installs the missing ones on this platform.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

interface Need {
  program: string;
  apt: string;
  dnf: string;
  brew: string;
}

const NEEDS: Need[] = [
  { program: 'sshd', apt: 'openssh-server', dnf: 'openssh-server', brew: 'openssh' },
  { program: 'ssh-keygen', apt: 'openssh-client', dnf: 'openssh-clients', brew: 'openssh' },
  { program: 'ssh', apt: 'openssh-client', dnf: 'openssh-clients', brew: 'openssh' },
  { program: 'rsync', apt: 'rsync', dnf: 'rsync', brew: 'rsync' },
  { program: 'tar', apt: 'tar', dnf: 'tar', brew: 'gnu-tar' },
  { program: 'bzip2', apt: 'bzip2', dnf: 'bzip2', brew: 'bzip2' },
];

const SBIN = ['/usr/sbin', '/sbin', '/usr/local/sbin', '/opt/homebrew/sbin'];

export function hasProgram(program: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (spawnSync('sh', ['-c', 'command -v "$1"', 'sh', program], { stdio: 'ignore', env }).status === 0) return true;
  return SBIN.some((d) => existsSync(`${d}/${program}`));
}

export function missingPrograms(has: (p: string) => boolean = hasProgram): string[] {
  return NEEDS.filter((n) => !has(n.program)).map((n) => n.program);
}

/** `sudo apt-get install openssh-server rsync`, or the dnf or brew equivalent. */
export function installCommand(missing: string[], has: (p: string) => boolean = hasProgram): string {
  const needs = NEEDS.filter((n) => missing.includes(n.program));
  const pick = (k: 'apt' | 'dnf' | 'brew') => [...new Set(needs.map((n) => n[k]))].join(' ');
  if (has('apt-get')) return `sudo apt-get install ${pick('apt')}`;
  if (has('dnf')) return `sudo dnf install ${pick('dnf')}`;
  if (has('brew')) return `brew install ${pick('brew')}`;
  return `install: ${missing.join(', ')} (packages: apt ${pick('apt')}; dnf ${pick('dnf')}; brew ${pick('brew')})`;
}
