/**
 * Writing the source key's gate, with the login `keys install` uses (never
 * with the key it guards): the holding dirs are created first, every pinned
 * directory must be on its physical path (no symlink on the way: the gate
 * compares them as strings and again with `cd -P`), and the gate is written
 * from the config's jobs for that host. For jobs with `sudo: true` it names
 * the sudoers line that allows exactly the tar Burrow runs.
 */
import type { BurrowConfig } from '../../../shared/config-schema';
import { baseName } from '../../../shared/archive-names';
import { BurrowError } from '../errors';
import { shScript } from '../shell-quote';
import { lastLine, SshSession } from '../ssh/ssh-session';
import { COMPRESS_PROGRAM } from '../formats/archive/pack';
import { gatePinsFor, type JobPins } from './gate-pins';
import { INSTALL_GATE_SCRIPT, sourceGateScript } from './source-gate';

/**
 * For each "holding DIR" pair: creates DIR (0700) when missing; then for
 * every "KIND DIR" pair prints KIND NUL DIR NUL and DIR's physical path
 * (empty when it is not a directory) NUL.
 */
export const PREPARE_SOURCE_SCRIPT = `umask 077
while [ $# -ge 2 ]; do
  if [ "$1" = holding ] && [ ! -e "$2" ] && [ ! -L "$2" ]; then mkdir -p -- "$2" || exit 73; fi
  p=
  if [ -d "$2" ]; then p=$(cd -P -- "$2" && pwd -P); fi
  [ -L "$2" ] && p="symlink to $p"
  printf '%s\\0%s\\0%s\\0' "$1" "$2" "$p"
  shift 2
done`;

/** The tar and compressor the pack script would use, for each compression "$@": `tar PATH` then `KIND PROG` lines. */
export const SUDO_PROBE_SCRIPT = `printf 'tar %s\\n' "$(command -v tar)"
for kind; do ${COMPRESS_PROGRAM.replaceAll('\n', '\n  ')}
  printf '%s %s\\n' "$kind" "$prog"; done`;

/** What writing the gate found, for the person who ran it. */
export interface GateWriteResult {
  /** Jobs pinned, by name. */
  jobs: string[];
  /** Directories that do not exist yet (a run will say so; the gate admits them once they do). */
  warnings: string[];
  /** sudoers lines for jobs with sudo: true (put them in /etc/sudoers.d/ with visudo). */
  sudoers: string[];
}

/** sudoers needs these escaped in a command's arguments (sudoers(5), "Other special characters"). */
const sudoersArg = (s: string) => s.replace(/[\\,:=()! ]/g, (c) => `\\${c}`);

/** The sudoers line that lets `user` run exactly the tar the pack script runs for `path`. */
export function sudoersLine(user: string, tarPath: string, prog: string, path: string): string {
  const parent = path.slice(0, path.lastIndexOf('/')) || '/';
  const args = ['-C', parent, `--use-compress-program=${prog}`, '-cf', '-', '--', baseName(path)];
  return `${user} ALL=(root) NOPASSWD: ${tarPath} ${args.map(sudoersArg).join(' ')}`;
}

/** Prepares the source for the pinned jobs and writes the gate; `session` is the install's login. */
export async function writeGate(session: SshSession, config: BurrowConfig, hostName: string): Promise<GateWriteResult> {
  const pins = gatePinsFor(config, hostName);
  const pairs = pins.jobs.flatMap((j) => [...(j.holdingDir ? ['holding', j.holdingDir] : []), ...j.paths.flatMap((p) => ['path', p])]);
  const warnings: string[] = [];
  if (pins.jobs.length === 0) warnings.push(`no job uses ${hostName} as its source yet: the gate admits nothing until one does and the gate is updated`);
  if (pairs.length > 0) {
    const r = await session.exec(shScript(PREPARE_SOURCE_SCRIPT, pairs));
    if (r.code !== 0) throw new BurrowError('remote-command', `preparing the holding dirs on ${hostName} failed: ${lastLine(r.stderr) || `exit ${r.code}`}`);
    const parts = r.stdout.split('\0');
    const problems: string[] = [];
    for (let i = 0; i + 2 < parts.length; i += 3) {
      const [kind, dir, physical] = [parts[i]!, parts[i + 1]!, parts[i + 2]!];
      const what = kind === 'holding' ? 'holding dir' : 'directory';
      if (physical === '') warnings.push(`the ${what} ${dir} does not exist on ${hostName} yet`);
      else if (physical !== dir)
        problems.push(`the ${what} ${dir} on ${hostName} is reached through a symlink (${physical}): put the physical path in the config`);
    }
    if (problems.length > 0) throw new BurrowError('config', `${problems.join('; ')}. The gate compares physical paths; nothing was written.`);
  }
  const g = await session.exec(shScript(INSTALL_GATE_SCRIPT, [sourceGateScript(pins)]));
  if (g.code !== 0 || lastLine(g.stdout) !== 'gate') {
    throw new BurrowError(
      'remote-command',
      `writing the source key's gate (~/.ssh/burrow-gate) on ${hostName} failed: ${lastLine(g.stderr) || `exit ${g.code}`}`,
    );
  }
  return { jobs: pins.jobs.map((j) => j.name), warnings, sudoers: await sudoers(session, config, hostName, pins.jobs) };
}

async function sudoers(session: SshSession, config: BurrowConfig, hostName: string, jobs: JobPins[]): Promise<string[]> {
  const sudoJobs = jobs.filter((j) => j.sudo && j.compression);
  if (sudoJobs.length === 0) return [];
  const r = await session.exec(shScript(SUDO_PROBE_SCRIPT, [...new Set(sudoJobs.map((j) => j.compression!))]));
  const found = new Map(
    r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)] as const),
  );
  const tar = found.get('tar') || '/usr/bin/tar';
  const user = config.hosts[hostName]!.user;
  return sudoJobs.flatMap((j) => j.paths.map((p) => sudoersLine(user, tar, found.get(j.compression!) ?? j.compression!, p)));
}
