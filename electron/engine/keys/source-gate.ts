/**
 * The source key's forced command: a POSIX sh "gate" installed as
 * ~/.ssh/burrow-gate on the source, which admits exactly the commands the
 * jobs that use this source send there, with exactly their arguments, and
 * refuses everything else, a shell first of all.
 *
 * sshd hands the gate the requested command as one string
 * (SSH_ORIGINAL_COMMAND). The gate never evals it: with LC_ALL=C and at most
 * 16 KiB and 512 words, it reads it back into words with the inverse of
 * shQuote (bare safe characters, '...' and \'), refusing any other
 * character outside quotes and any control character in an argument. Then
 * it admits:
 *
 * - `sh -c SCRIPT burrow ARGS...` when SCRIPT's SHA-256 is one of Burrow's
 *   source scripts (SOURCE_SCRIPTS) and ARGS pass that script's rule: the
 *   job's pinned paths, holding dir, compression and sudo compared as
 *   strings (never as a glob) and again physically on the source (`cd -P`,
 *   no symlink), archive names derived from the pinned paths, and the
 *   run's temporary directory exactly `${TMPDIR:-/tmp}/burrow.` and 8
 *   letters or digits, this user's, not a symlink;
 * - `rsync` with only the options Burrow's transfers use, `-e`
 *   set to the tunnel ssh command (its known_hosts in such a temporary
 *   directory), and sources and destination exactly a pinned job's:
 *   reading on the source, writing only through the tunnel;
 * - `ssh` with exactly the tunnel ssh command, `USER@127.0.0.1 true` (the
 *   check's "through the tunnel" hop), USER a pinned destination user.
 *
 * The pins (gate-pins.ts) are compiled into the gate's comparisons, and the
 * gate answers GATE_QUERY_SCRIPT with them and the hash of its scripts, so
 * the laptop sees a gate that no longer matches its config before a run
 * sends anything else. Only the login used for `keys install` (or `keys
 * update-gate`) rewrites the gate; the key it guards cannot.
 */
import { baseName, COMPRESSION_EXT } from '../../../shared/archive-names';
import { OUT_FORMAT } from '../../../shared/rsync-output';
import { SOURCE_GATE_PATH } from './authorized-keys';
import { gatePinsFor, pinsJson, type GatePins, type JobPins } from './gate-pins';
import type { BurrowConfig } from '../../../shared/config-schema';
import { MARKER } from '../destination-marker';
import { GATE_QUERY_SCRIPT, SOURCE_SCRIPTS, scriptsHash, sha256Hex, type ArgRule } from './source-scripts';
import { tunnelSshCommand } from '../tunnel-rsync';

export { GATE_QUERY_SCRIPT, SOURCE_SCRIPTS, scriptsHash, sha256Hex, type ArgRule } from './source-scripts';

/** The longest command the gate parses, and the most words. */
export const GATE_MAX_BYTES = 16_384;
export const GATE_MAX_WORDS = 512;

/** Splits the tunnel ssh command around its three variable parts. */
function tunnelSshPieces(): [string, string, string, string] {
  const PORT = 1234567;
  const KNOWN_HOSTS = '/KNOWN-HOSTS/known_hosts';
  const TIMEOUT = 7654321;
  const full = tunnelSshCommand(PORT, KNOWN_HOSTS, TIMEOUT);
  const [a, rest1] = splitOnce(full, String(PORT));
  const [b, rest2] = splitOnce(rest1, KNOWN_HOSTS);
  const [c, d] = splitOnce(rest2, String(TIMEOUT));
  return [a, b, c, d];
}

function splitOnce(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  if (i < 0 || s.indexOf(sep, i + 1) >= 0) throw new Error(`the tunnel ssh template must hold "${sep}" exactly once`);
  return [s.slice(0, i), s.slice(i + sep.length)];
}

/** A literal for the gate: single-quoted, so the shell reads it back byte for byte and never as a pattern. */
export function lit(value: string): string {
  if (/[\0]/.test(value)) throw new Error('the gate cannot hold a NUL byte');
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** `name() { case $1 in 'a'|'b') return 0 ;; esac; return 1; }`: exact membership. */
function memberFn(name: string, values: readonly string[]): string {
  const set = [...new Set(values)];
  if (set.length === 0) return `${name}() { return 1; }`;
  return `${name}() { case $1 in ${set.map(lit).join('|')}) return 0 ;; esac; return 1; }`;
}

/** One line per allowed pack: the path, the holding dir, the compression, the archive's base and extension, sudo. */
function packLines(jobs: readonly JobPins[]): string[] {
  return jobs
    .filter((j) => j.pack && j.holdingDir && j.compression)
    .flatMap((j) =>
      j.paths.map(
        (p) =>
          `  [ "$1" = ${lit(p)} ] && [ "$2" = ${lit(j.holdingDir!)} ] && [ "$4" = ${lit(j.compression!)} ] && ` +
          `name_is "$3" ${lit(baseName(p))} ${lit(COMPRESSION_EXT[j.compression!])} && sudo_ok "$5" ${j.sudo ? 'yes' : 'no'} && return 0`,
      ),
    );
}

/** One line per allowed rsync: sources (newline-joined), destination, --rsync-path, --link-dest. */
function rsyncLines(jobs: readonly JobPins[]): string[] {
  return jobs.map((j) => {
    const login = `${j.destination.user}@127.0.0.1:`;
    const rp = lit(j.destination.rsyncPath ?? '');
    if (j.holdingDir !== null) {
      // A format that packs sends its holding dir, mirrored into the destination path.
      return `  [ "$1" = ${lit(`${j.holdingDir}/`)} ] && [ "$2" = ${lit(`${login}${j.destination.path}/`)} ] && [ "$3" = ${rp} ] && [ -z "$4" ] && return 0`;
    }
    // A format that sends the trees writes a dated directory below DEST/<job> (see formats/snapshot).
    return `  [ "$1" = ${lit(j.paths.join('\n'))} ] && [ "$3" = ${rp} ] && snapshot_target ${lit(login)} ${lit(`${j.destination.path}/${j.name}`)} "$2" "$4" && return 0`;
  });
}

/** The known_hosts the gate lets a run write: a pinned key line, or a key whose fingerprint is pinned. */
function keyLines(jobs: readonly JobPins[]): string[] {
  const pins = [...new Set(jobs.map((j) => j.destination.hostKey).filter((k): k is string => k !== null))];
  return pins.map((pin) =>
    pin.startsWith('SHA256:')
      ? `  [ "$(fingerprint "$1" "$2")" = ${lit(pin)} ] && return 0`
      : `  [ "$1 $2" = ${lit(pin.split(/\s+/).slice(0, 2).join(' '))} ] && return 0`,
  );
}

const CONTROL_CHARS = Array.from({ length: 31 }, (_, i) => `\\${(i + 1).toString(8).padStart(3, '0')}`).join('') + '\\177';

/**
 * The gate's text for the pinned jobs (`gatePinsFor`), admitting `scripts`
 * (default: Burrow's source scripts).
 */
export function sourceGateScript(pins: GatePins, scripts: readonly { text: string; rule: ArgRule }[] = SOURCE_SCRIPTS): string {
  const [a, b, c, d] = tunnelSshPieces();
  const byRule = new Map<ArgRule, Set<string>>();
  for (const s of scripts) byRule.set(s.rule, (byRule.get(s.rule) ?? new Set()).add(sha256Hex(s.text)));
  const scriptCases = [...byRule].map(([rule, hashes]) => `      ${[...hashes].join('|')}) chk_${rule.replaceAll('-', '_')} "$@" ;;`).join('\n');
  const jobs = pins.jobs;
  const holdings = jobs.flatMap((j) => (j.holdingDir ? [j.holdingDir] : []));
  const paths = jobs.flatMap((j) => j.paths);
  const users = jobs.map((j) => j.destination.user);
  const names = jobs.map((j) => j.name);
  return `# Burrow's source gate: the forced command of Burrow's source key.
# Written by Burrow (\`burrow keys install ... --role source\` or \`burrow keys
# update-gate\`) from the jobs that use this host; it admits exactly their
# commands (see electron/engine/keys/source-gate.ts) and refuses the rest.
export LC_ALL=C
set -u
refuse() { printf 'burrow-gate: refused: %s\\n' "$1" >&2; exit 126; }
SCRIPTS=${lit(scriptsHash(scripts))}
PINS=${lit(pinsJson(pins))}
SSH_A=${lit(a)} SSH_B=${lit(b)} SSH_C=${lit(c)} SSH_D=${lit(d)}
FMT=${lit(OUT_FORMAT)}
MARK=${lit(MARKER)}
NL='
'
CTL=$(printf '${CONTROL_CHARS}')
TMP=\${TMPDIR:-/tmp}
STAMP='${'[0-9]'.repeat(8)}'
DAY='[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'
T8='${'[A-Za-z0-9]'.repeat(8)}'

[ -n "\${SSH_ORIGINAL_COMMAND-}" ] || refuse 'no command: this key gets no shell'
[ \${#SSH_ORIGINAL_COMMAND} -le ${GATE_MAX_BYTES} ] || refuse 'a command longer than ${GATE_MAX_BYTES} bytes'

# The command back into words: the inverse of Burrow's quoting, nothing more.
rest=$SSH_ORIGINAL_COMMAND word= inword= n=0
set --
while [ -n "$rest" ]; do
  case $rest in
    "'"*)
      rest=\${rest#?}
      case $rest in *"'"*) ;; *) refuse 'unterminated quote' ;; esac
      word=$word\${rest%%"'"*}
      rest=\${rest#*"'"}
      inword=1 ;;
    "\\\\'"*)
      word=$word"'"
      rest=\${rest#??}
      inword=1 ;;
    " "*)
      [ -n "$inword" ] || refuse 'unexpected space'
      n=$((n + 1)); [ $n -lt ${GATE_MAX_WORDS} ] || refuse 'more than ${GATE_MAX_WORDS} words'
      set -- "$@" "$word"
      word= inword=
      rest=\${rest#?} ;;
    [A-Za-z0-9_@%+=:,./-]*)
      bare=\${rest%%[!A-Za-z0-9_@%+=:,./-]*}
      word=$word$bare
      rest=\${rest#"$bare"}
      inword=1 ;;
    *) refuse 'a character outside quotes that Burrow never sends' ;;
  esac
done
[ -z "$inword" ] || set -- "$@" "$word"
[ $# -gt 0 ] || refuse 'no command'

# What this key may touch: the pinned jobs' directories and destinations, compared as strings.
${memberFn('is_holding', holdings)}
${memberFn('is_path', paths)}
${memberFn('is_user', users)}
${memberFn('is_job', names)}

no_control() { for a; do case $a in *[$CTL]*) refuse 'a control character in an argument' ;; esac; done; }
digits() { case $1 in ''|*[!0-9]*) refuse "$2 is not a number" ;; esac; }
# A directory on its own physical path: no ".", ".." or empty part and no symlink anywhere
# on the way (checked part by part, so a directory this user may not enter still passes).
physical() {
  case $1 in /*) ;; *) return 1 ;; esac
  [ -d "$1" ] || return 1
  pp= pr=\${1#/}
  while [ -n "$pr" ]; do
    pc=\${pr%%/*}; pp=$pp/$pc
    case $pr in */*) pr=\${pr#*/} ;; *) pr= ;; esac
    case $pc in ''|.|..) return 1 ;; esac
    [ ! -L "$pp" ] || return 1
  done
}
source_dir() {
  is_path "$1" || refuse "$1 is not a directory pinned for this key"
  physical "$1" || refuse "$1 is not a directory on its physical path (a symlink on the way?)"
}
holding_dir() {
  is_holding "$1" || refuse "$1 is not a holding dir pinned for this key"
  if [ -e "$1" ] || [ -L "$1" ]; then physical "$1" || refuse "the holding dir $1 is not a directory on its physical path (a symlink?)"; fi
}
tmp_dir() {
  case $1 in "$TMP"/burrow.$T8) ;; *) refuse "$1 is not a Burrow temporary directory" ;; esac
  [ -d "$1" ] && [ ! -L "$1" ] && [ -O "$1" ] || refuse "$1 is not a Burrow temporary directory of this user"
  [ "$(cd -P -- "$1" && pwd -P)" = "$(cd -P -- "$TMP" && pwd -P)/\${1##*/}" ] || refuse "$1 is not a Burrow temporary directory"
}
file_name() { case $1 in ''|*/*|.|..|-*) refuse "$1 is not a file name" ;; esac; }
archive_name() {
  case $1 in */*|.*|-*) refuse "$1 is not an archive name" ;; *.tar.bz2|*.tar.gz|*.tar.zst) ;; *) refuse "$1 is not an archive name" ;; esac
}
name_is() { case $1 in "$2".$STAMP."tar.$3") return 0 ;; esac; return 1; }
sudo_ok() { [ "$1" = no ] || { [ "$1" = yes ] && [ "$2" = yes ]; }; }
fingerprint() { f=$(printf '%s %s\\n' "$1" "$2" | ssh-keygen -lf - 2>/dev/null) || return 0; f=\${f#* }; printf '%s' "\${f%% *}"; }

pack_pinned() {
${packLines(jobs).join('\n')}
  return 1
}
rsync_pinned() {
${rsyncLines(jobs).join('\n')}
  return 1
}
key_pinned() {
  case $1 in ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521|sk-ssh-ed25519@openssh.com|sk-ecdsa-sha2-nistp256@openssh.com) ;; *) return 1 ;; esac
  case $2 in ''|*[!A-Za-z0-9+/=]*) return 1 ;; esac
  [ \${#2} -le 4096 ] || return 1
${keyLines(jobs).join('\n')}
  return 1
}
# A snapshot job writes LOGIN ROOT/.DAY.partial/, linking to ROOT/DAY (the day before, or the same day's earlier snapshot).
snapshot_target() {
  case $3 in
    "$1$2/."$DAY".partial/") [ -z "$4" ] && return 0; case $4 in "$2/"$DAY) return 0 ;; esac; return 1 ;;
    *) return 1 ;;
  esac
}

# The rules for each script's arguments.
chk_none() { [ $# -eq 0 ] || refuse 'this script takes no arguments'; }
chk_pack() {
  [ $# -eq 5 ] || refuse 'pack takes 5 arguments'
  pack_pinned "$@" || refuse "packing $1 into $2 as $3 with $4 (sudo $5) is not pinned for this key"
  source_dir "$1"; holding_dir "$2"
}
chk_holding_create() { [ $# -eq 1 ] || refuse 'one holding dir'; holding_dir "$1"; }
chk_holding_read() { [ $# -eq 1 ] || refuse 'one holding dir'; holding_dir "$1"; }
chk_holding_marker() { [ $# -eq 2 ] && [ "$2" = "$MARK" ] || refuse 'a holding dir and the marker'; holding_dir "$1"; }
chk_holding_files() { [ $# -ge 1 ] || refuse 'a holding dir'; holding_dir "$1"; shift; for f; do file_name "$f"; done; }
chk_holding_remove() { [ $# -ge 1 ] || refuse 'a holding dir'; holding_dir "$1"; shift; for f; do archive_name "$f"; done; }
chk_holding_paths() { for p; do holding_dir "\${p%/*}"; archive_name "\${p##*/}"; done; }
chk_job_paths() { [ $# -ge 1 ] || refuse 'the directories of a job'; for p; do source_dir "$p"; done; }
chk_job_name() { [ $# -eq 1 ] || refuse 'one job name'; is_job "$1" || refuse "$1 is not a job pinned for this key"; }
chk_tmp_dir() { [ $# -eq 1 ] || refuse 'one temporary directory'; tmp_dir "$1"; }
chk_known_hosts() {
  [ $# -eq 3 ] || refuse 'a temporary directory and a host key'
  tmp_dir "$1"
  key_pinned "$2" "$3" || refuse "$2 key is not the pinned destination host key"
}

# The tunnel ssh command: the template with a number, this run's known_hosts and a number in it.
tunnel_ssh() {
  v=$1
  case $v in "$SSH_A"*) ;; *) refuse 'not the tunnel ssh command' ;; esac
  v=\${v#"$SSH_A"}; port=\${v%%" "*}; digits "$port" 'the tunnel port'; v=\${v#"$port"}
  case $v in "$SSH_B"*) ;; *) refuse 'not the tunnel ssh command' ;; esac
  v=\${v#"$SSH_B"}; kh=\${v%%" "*}; v=\${v#"$kh"}
  case $kh in */known_hosts) tmp_dir "\${kh%/known_hosts}" ;; *) refuse 'not a known_hosts path' ;; esac
  case $v in "$SSH_C"*) ;; *) refuse 'not the tunnel ssh command' ;; esac
  v=\${v#"$SSH_C"}; t=\${v%%" "*}; digits "$t" 'the connect timeout'; v=\${v#"$t"}
  [ "$v" = "$SSH_D" ] || refuse 'not the tunnel ssh command'
}
check_rsync() {
  shift
  e= rp= ld=
  while [ $# -gt 0 ]; do
    a=$1; shift
    case $a in
      --) break ;;
      -e) [ $# -gt 0 ] || refuse 'rsync -e without a value'; tunnel_ssh "$1"; e=1; shift ;;
      -rlptgo|-u|-aH|-z|--numeric-ids|--no-inc-recursive|-M--fake-super|--delete-delay|--delay-updates|--fuzzy|--stats|--info=progress2) ;;
      '--exclude=.*.partial.*'|"--exclude=/$MARK"|"--filter=P /$MARK") ;;
      --max-delete=*|--timeout=*|--bwlimit=*) digits "\${a#*=}" "\${a%%=*}" ;;
      --out-format=*) [ "\${a#*=}" = "$FMT" ] || refuse "rsync $a" ;;
      --link-dest=*) ld=\${a#*=} ;;
      --rsync-path=*) rp=\${a#*=} ;;
      *) refuse "rsync option $a is not one Burrow uses" ;;
    esac
  done
  [ -n "$e" ] || refuse 'rsync without the tunnel ssh (-e)'
  [ $# -ge 2 ] || refuse 'rsync without sources and a destination after --'
  srcs=
  while [ $# -gt 1 ]; do
    case $1 in /*) ;; *) refuse "rsync source $1 is not an absolute path on this host" ;; esac
    srcs=\${srcs:+$srcs$NL}$1; shift
  done
  case $1 in *:*) ;; *) refuse 'rsync writing on this host' ;; esac
  case $1 in *@127.0.0.1:/*) ;; *) refuse "$1 is not a login through the tunnel" ;; esac
  rsync_pinned "$srcs" "$1" "$rp" "$ld" || refuse "rsync from $srcs to $1 is not pinned for this key"
  printf '%s\\n' "$srcs" | while IFS= read -r s; do
    case $s in */) s=\${s%/}; holding_dir "$s"; physical "$s" || refuse "$s does not exist" ;; *) source_dir "$s" ;; esac
  done || exit 126
}
check_ssh() {
  s=
  while [ $# -gt 2 ]; do
    case $1 in *" "*|'') refuse 'ssh argument with a space' ;; esac
    s=\${s:+$s }$1; shift
  done
  tunnel_ssh "$s"
  case $1 in *@127.0.0.1) is_user "\${1%@127.0.0.1}" || refuse "$1 is not a pinned destination user through the tunnel" ;; *) refuse 'not a login through the tunnel' ;; esac
  [ "$2" = true ] || refuse 'ssh through the tunnel runs only "true"'
}

case $1 in
  sh)
    [ $# -ge 4 ] && [ "$2" = -c ] && [ "$4" = burrow ] || refuse 'sh without a Burrow script'
    sum=$(printf '%s' "$3" | sha256sum) || refuse 'sha256sum failed'
    sum=\${sum%% *}
    script=$3
    shift 4
    no_control "$@"
    case $sum in
      ${sha256Hex(GATE_QUERY_SCRIPT)}) printf 'burrow-gate 2\\nscripts %s\\npins %s\\n' "$SCRIPTS" "$PINS"; exit 0 ;;
${scriptCases}
      *) refuse "script $sum is not one of Burrow's (after an upgrade, update this gate: burrow keys update-gate HOST)" ;;
    esac
    exec sh -c "$script" burrow "$@" ;;
  rsync) no_control "$@"; check_rsync "$@" ;;
  ssh) no_control "$@"; [ $# -ge 3 ] || refuse 'ssh without a destination'; check_ssh "$@" ;;
  *) refuse "$1 is not one of Burrow's commands" ;;
esac
exec "$@"
`;
}

/** The gate for `hostName` as the config describes its jobs now. */
export function sourceGateFor(config: BurrowConfig, hostName: string): string {
  return sourceGateScript(gatePinsFor(config, hostName));
}

/**
 * Writes the gate (text "$1") to ~/.ssh/burrow-gate under a temporary name
 * and renames it, so a failed write never leaves half a gate. Prints
 * "gate" on success.
 */
export const INSTALL_GATE_SCRIPT = `umask 077
cd || exit 70
if [ ! -d .ssh ]; then mkdir .ssh && chmod 700 .ssh || exit 71; fi
t=${SOURCE_GATE_PATH}.burrow.$$
{ printf '%s' "$1" > "$t" && mv -f -- "$t" ${SOURCE_GATE_PATH}; } || { rm -f -- "$t"; exit 76; }
echo gate`;
