/**
 * rsync on the source through the tunnel, in both directions, and what
 * every such run needs: the source's per-run temporary directory with a
 * known_hosts holding only the pinned destination key (HostKeyAlias,
 * StrictHostKeyChecking=yes), the tunnel ssh command rsync uses as its
 * remote shell, the options every transfer shares, and rsync's exit status
 * and progress turned into Burrow's outcomes and events. The laptop's agent
 * is forwarded for rsync only, so no private key is ever stored on the
 * source. Every storage format builds its transfers on this.
 */
import { OUT_FORMAT, RsyncOutputReader } from '../../shared/rsync-output';
import { rsyncOutcome } from '../../shared/rsync-exit';
import type { TransferProgress, TransferStats } from '../../shared/run-types';
import { BurrowError } from './errors';
import { shScript } from './shell-quote';
import { lastLine } from './ssh/ssh-session';
import type { RunContext } from './run-context';
import { sshCommandFor } from './steps/commands';

/** The name the destination goes by in the source's temporary known_hosts. */
export const DESTINATION_ALIAS = 'burrow-destination';

export const MKTEMP_SCRIPT = 'umask 077 && mktemp -d "${TMPDIR:-/tmp}/burrow.XXXXXXXX"';
/**
 * Refuses "$1" unless it is exactly a directory MKTEMP_SCRIPT makes:
 * `${TMPDIR:-/tmp}/burrow.` and 8 letters or digits, a directory of this
 * user's, not a symlink. The source key's gate checks the same; each script
 * that takes such a directory checks it again itself.
 */
export const SOURCE_TMP_CHECK = `case $1 in "\${TMPDIR:-/tmp}"/burrow.${'[A-Za-z0-9]'.repeat(8)}) ;; *) echo "not a Burrow temporary directory: $1" >&2; exit 64 ;; esac
[ -d "$1" ] && [ ! -L "$1" ] && [ -O "$1" ] || { echo "not a Burrow temporary directory of this user: $1" >&2; exit 64; }`;
/**
 * A backup run's temporary directory: MKTEMP_SCRIPT's, with the job's name
 * ("$1", which the gate admits only when pinned) in its `run-of` file, so the
 * job's next run knows it for its own and removes it (STALE_TMP_SCRIPT) even
 * when this run could not: the laptop slept, its network went, it was killed.
 */
export const RUN_TMP_SCRIPT = `case $1 in ''|-*|*[!A-Za-z0-9._-]*) echo "not a job name: $1" >&2; exit 64 ;; esac
umask 077 && d=$(mktemp -d "\${TMPDIR:-/tmp}/burrow.XXXXXXXX") && printf '%s\\n' "$1" > "$d/run-of" && printf '%s\\n' "$d"`;
/**
 * Removes, in ${TMPDIR:-/tmp}, this user's Burrow temporary directories
 * (exactly `burrow.` and 8 letters or digits, not a symlink) that an
 * earlier run of job "$1" made (its `run-of` file names the job: the
 * laptop holds the job's lock, so no run of it is under way), and any of
 * them older than a day (a check or restore that never finished, or a
 * job since renamed). Prints the reason and the path of each, NUL-separated.
 */
export const STALE_TMP_SCRIPT = `case $1 in ''|-*|*[!A-Za-z0-9._-]*) echo "not a job name: $1" >&2; exit 64 ;; esac
for d in "\${TMPDIR:-/tmp}"/burrow.????????; do
  case \${d##*/} in burrow.${'[A-Za-z0-9]'.repeat(8)}) ;; *) continue ;; esac
  [ -d "$d" ] && [ ! -L "$d" ] && [ -O "$d" ] || continue
  if [ -f "$d/run-of" ] && [ ! -L "$d/run-of" ] && [ "$(cat -- "$d/run-of")" = "$1" ]; then why=run
  elif [ -n "$(find "$d" -prune -mtime +0)" ]; then why=old
  else continue
  fi
  rm -rf -- "$d" && printf '%s\\0%s\\0' "$why" "$d"
done
exit 0`;
/**
 * Writes the run's known_hosts into its temporary directory (see
 * MKTEMP_SCRIPT) and nowhere else: key type "$2" and base64 "$3", each
 * checked, under the fixed alias. No free text reaches the file.
 */
export const KNOWN_HOSTS_SCRIPT = `${SOURCE_TMP_CHECK}
case $2 in ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521|sk-ssh-ed25519@openssh.com|sk-ecdsa-sha2-nistp256@openssh.com) ;; *) echo "not a host key type: $2" >&2; exit 64 ;; esac
case $3 in ''|*[!A-Za-z0-9+/=]*) echo "not a base64 host key" >&2; exit 64 ;; esac
umask 077 && printf '%s %s %s\\n' ${DESTINATION_ALIAS} "$2" "$3" > "$1/known_hosts"`;

/** The ssh rsync runs on the source to reach the destination through the tunnel, as words. */
export function tunnelSshArgv(port: number, knownHosts: string, connectTimeoutSec = 20): string[] {
  const opts = [
    `HostKeyAlias=${DESTINATION_ALIAS}`,
    `UserKnownHostsFile=${knownHosts}`,
    'GlobalKnownHostsFile=/dev/null',
    'StrictHostKeyChecking=yes',
    'UpdateHostKeys=no',
    'BatchMode=yes',
    'PasswordAuthentication=no',
    'KbdInteractiveAuthentication=no',
    'ForwardAgent=no',
    'ClearAllForwardings=yes',
    'ControlMaster=no',
    'ControlPath=none',
    `ConnectTimeout=${connectTimeoutSec}`,
    'ServerAliveInterval=15',
    'ServerAliveCountMax=3',
  ];
  return ['ssh', '-F', 'none', '-p', String(port), ...opts.flatMap((o) => ['-o', o])];
}

/** The same as one string, as rsync's -e takes it (no word of it holds a space; the source gate checks this exact shape). */
export const tunnelSshCommand = (port: number, knownHosts: string, connectTimeoutSec = 20) => tunnelSshArgv(port, knownHosts, connectTimeoutSec).join(' ');

/**
 * The options every transfer through the tunnel ends its options with:
 * rsync's timeout, its stats and progress, Burrow's item format, the tunnel
 * ssh as remote shell, and the job's bandwidth limit and remote rsync path.
 */
export function tunnelRsyncOptions(ctx: RunContext, knownHosts: string): string[] {
  const { job, config } = ctx;
  return [
    `--timeout=${config.rsync.timeoutSec}`,
    '--stats',
    '--info=progress2',
    `--out-format=${OUT_FORMAT}`,
    '-e',
    tunnelSshCommand(ctx.tunnel!.port, knownHosts),
    ...(job.bwlimitKiBps > 0 ? [`--bwlimit=${job.bwlimitKiBps}`] : []),
    ...(job.destination.rsyncPath ? [`--rsync-path=${job.destination.rsyncPath}`] : []),
  ];
}

/** `USER@127.0.0.1:PATH`: the destination as rsync on the source reaches it, through the tunnel. */
export const throughTunnel = (ctx: RunContext, path: string) => `${ctx.destinationHost.user}@127.0.0.1:${path}`;

/**
 * Creates the run's private temporary directory on the source and writes the
 * destination's pinned key there; returns the known_hosts path.
 */
export async function writeSourceKnownHosts(ctx: RunContext, opts: { run?: boolean } = {}): Promise<string> {
  const source = ctx.source!;
  // A run marks its directory with the job, for the job's next run to clean up after it (see RUN_TMP_SCRIPT).
  const script = opts.run ? shScript(RUN_TMP_SCRIPT, [ctx.job.name]) : shScript(MKTEMP_SCRIPT, []);
  const mk = await source.run(script, 'creating a temporary directory', { signal: ctx.signal });
  ctx.sourceTmp = lastLine(mk.stdout);
  if (!ctx.sourceTmp.startsWith('/')) throw new BurrowError('remote-command', `mktemp on ${ctx.job.source} printed no directory`);
  const [keyType, keyB64] = ctx.destinationKeyLine!.split(' ');
  await source.run(shScript(KNOWN_HOSTS_SCRIPT, [ctx.sourceTmp, keyType!, keyB64!]), 'writing the pinned destination key', {
    signal: ctx.signal,
  });
  return `${ctx.sourceTmp}/known_hosts`;
}

/** The command a person would type: ssh to the source with the agent and the reverse forward, running rsync. */
export function transferCommand(ctx: RunContext, argv: string[]): string {
  return sshCommandFor(ctx.config, ctx.job.source, argv, ['-A', '-R', `${ctx.tunnel!.port}:${ctx.destinationHost.hostname}:${ctx.destinationHost.port}`]);
}

/**
 * Runs rsync on the source with the laptop's agent forwarded, turning its
 * progress into events and its exit status into a defined outcome.
 */
export async function runRsyncOnSource(ctx: RunContext, argv: string[], opts: { isTransfer?: boolean } = {}): Promise<TransferStats & { symlinks: string[] }> {
  let lastEmit = 0;
  const reader = new RsyncOutputReader((progress: TransferProgress) => {
    const now = Date.now();
    if (now - lastEmit < 200 && progress.percent < 100) return;
    lastEmit = now;
    ctx.emit({ type: 'progress', runId: ctx.record.id, progress });
  });
  let r;
  try {
    r = await ctx.source!.exec(argv, { signal: ctx.signal, agentForward: true, onStdout: (s) => reader.push(s) });
  } finally {
    // Kept whatever happened: a cancelled or broken transfer's record still says what moved.
    reader.end();
    if (opts.isTransfer !== false) ctx.record.transfer = reader.stats();
  }
  const stats = reader.stats();
  const outcome = rsyncOutcome(r.code);
  if (outcome.state === 'failed') throw explainRsyncFailure(ctx, r.code, r.stderr, outcome.kind!, outcome.meaning);
  if (outcome.state === 'warning') ctx.log('warn', `rsync: ${outcome.meaning}`);
  return { ...stats, symlinks: reader.symlinks() };
}

function explainRsyncFailure(ctx: RunContext, code: number | null, stderr: string, kind: BurrowError['kind'], meaning: string): BurrowError {
  const dest = ctx.job.destination.host;
  const src = ctx.job.source;
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed|No \S+ host key is known/.test(stderr)) {
    return new BurrowError(
      'host-key-mismatch',
      `the host behind the tunnel is not the pinned destination ${dest}: ssh on ${src} refused its host key, so rsync sent nothing. ` +
        'The tunnel may lead to the wrong machine; if the destination key changed on purpose, re-pin it with: ' +
        `burrow hostkey ${dest} --write`,
    );
  }
  if (/Permission denied \(/.test(stderr)) {
    return new BurrowError('auth', `${dest} refused the forwarded key when rsync on ${src} logged in (${lastLine(stderr)})`);
  }
  const detail = lastLine(stderr);
  return new BurrowError(kind, `rsync on ${src} to ${dest} failed (exit ${code ?? 'none'}: ${meaning})${detail ? `: ${detail}` : ''}`);
}
