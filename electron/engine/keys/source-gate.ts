/**
 * The source key's forced command: a POSIX sh "gate" installed as
 * ~/.ssh/burrow-gate on the source, which admits exactly the commands a
 * Burrow backup (and `burrow check`) sends there and refuses everything else,
 * a shell first of all.
 *
 * sshd hands the gate the requested command as one string
 * (SSH_ORIGINAL_COMMAND). The gate never evals it: it reads it back into
 * words with the inverse of shQuote (bare safe characters, '...' and \'),
 * refusing any other character outside quotes, and then admits:
 *
 * - `sh -c SCRIPT burrow ARGS...` when SCRIPT's SHA-256 is one of Burrow's
 *   source scripts (listed below, hashed into the gate at install time);
 * - `rsync` with only the options Burrow's transfer and verify use, `-e` set
 *   to the tunnel ssh command (rebuilt from its template: only the port, the
 *   known_hosts path and the timeout vary, each checked), absolute local
 *   sources, and a destination through the tunnel (`USER@127.0.0.1:/...`):
 *   the source side only ever reads;
 * - `ssh` with exactly the tunnel ssh command, `USER@127.0.0.1 true` (the
 *   check's "through the tunnel" hop).
 *
 * The scripts narrow their own inputs where a stolen key could misuse
 * them: pack writes and prune deletes archive names only, the known_hosts
 * script and teardown touch Burrow's temporary directories only. What stays
 * open is reading: the key can read any file the source user can and send it
 * through a tunnel it opens; it cannot run a command of its own choosing or
 * write a file of its own content. Restoring onto the source (rsync from the
 * tunnel into the source) is refused: that needs the user's own login.
 * After an upgrade that changes a script, the gate refuses it by hash until
 * the key is installed again, which rewrites the gate.
 */
import { createHash } from 'node:crypto';
import { OUT_FORMAT } from '../../../shared/rsync-output';
import { RSYNC_VERSION_SCRIPT } from '../check';
import { SOURCE_GATE_PATH } from './authorized-keys';
import { MARKER, LIST_WITH_MARKER_SCRIPT } from '../steps/guard';
import { EXISTING_SCRIPT, MKDIR_SCRIPT, PACK_SCRIPT } from '../steps/pack';
import { HOLDING_AGES_SCRIPT, REMOVE_SCRIPT } from '../steps/prune';
import { SOURCES_PRESENT } from '../steps/snapshot';
import { REMOVE_TMP_SCRIPT } from '../steps/teardown';
import { KNOWN_HOSTS_SCRIPT, MKTEMP_SCRIPT, tunnelSshCommand } from '../steps/transfer';
import { LIST_FILES_SCRIPT, SUMS_SCRIPT } from '../steps/verify';

/** Every fixed script Burrow runs on the source during a backup, a dry run or a check. */
export function sourceScripts(): string[] {
  return [
    PACK_SCRIPT,
    MKDIR_SCRIPT,
    EXISTING_SCRIPT,
    HOLDING_AGES_SCRIPT,
    REMOVE_SCRIPT,
    LIST_WITH_MARKER_SCRIPT,
    SUMS_SCRIPT,
    LIST_FILES_SCRIPT,
    MKTEMP_SCRIPT,
    KNOWN_HOSTS_SCRIPT,
    SOURCES_PRESENT,
    REMOVE_TMP_SCRIPT,
    RSYNC_VERSION_SCRIPT,
  ];
}

export const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

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

/** A value put between single quotes in the gate; none of them may hold one. */
function q(value: string): string {
  if (value.includes("'")) throw new Error(`the gate cannot quote ${JSON.stringify(value)}`);
  return `'${value}'`;
}

/** The gate's text, admitting `scripts` (default: Burrow's source scripts). */
export function sourceGateScript(scripts: readonly string[] = sourceScripts()): string {
  const [a, b, c, d] = tunnelSshPieces();
  const hashes = [...new Set(scripts.map(sha256Hex))].join(' ');
  return `# Burrow's source gate: the forced command of Burrow's source key.
# Written by Burrow when the key was installed; installing the key again
# rewrites it. It admits exactly Burrow's own commands (see
# electron/engine/keys/source-gate.ts) and refuses anything else.
set -u
refuse() { printf 'burrow-gate: refused: %s\\n' "$1" >&2; exit 126; }
HASHES=' ${hashes} '
SSH_A=${q(a)} SSH_B=${q(b)} SSH_C=${q(c)} SSH_D=${q(d)}
FMT=${q(OUT_FORMAT)}
MARK=${q(MARKER)}

[ -n "\${SSH_ORIGINAL_COMMAND-}" ] || refuse 'no command: this key gets no shell'

# The command back into words: the inverse of Burrow's quoting, nothing more.
rest=$SSH_ORIGINAL_COMMAND word= inword=
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

digits() { case $1 in ''|*[!0-9]*) refuse "$2 is not a number" ;; esac; }
user_at_tunnel() {
  case $1 in *@127.0.0.1:/*|*@127.0.0.1) ;; *) refuse "$1 is not a login through the tunnel" ;; esac
  u=\${1%%@127.0.0.1*}
  case $u in ''|-*|*[!A-Za-z0-9._-]*) refuse "bad user name in $1" ;; esac
}
# The tunnel ssh command: the template with a number, a known_hosts path and a number in it.
tunnel_ssh() {
  v=$1
  case $v in "$SSH_A"*) ;; *) refuse 'not the tunnel ssh command' ;; esac
  v=\${v#"$SSH_A"}; port=\${v%%" "*}; digits "$port" 'the tunnel port'; v=\${v#"$port"}
  case $v in "$SSH_B"*) ;; *) refuse 'not the tunnel ssh command' ;; esac
  v=\${v#"$SSH_B"}; kh=\${v%%" "*}; v=\${v#"$kh"}
  case $kh in /*/known_hosts) ;; *) refuse 'not a known_hosts path' ;; esac
  case $kh in *[!A-Za-z0-9_./-]*|*/../*) refuse 'not a known_hosts path' ;; esac
  case $v in "$SSH_C"*) ;; *) refuse 'not the tunnel ssh command' ;; esac
  v=\${v#"$SSH_C"}; t=\${v%%" "*}; digits "$t" 'the connect timeout'; v=\${v#"$t"}
  [ "$v" = "$SSH_D" ] || refuse 'not the tunnel ssh command'
}
check_rsync() {
  shift
  e=
  while [ $# -gt 0 ]; do
    a=$1; shift
    case $a in
      --) break ;;
      -e) [ $# -gt 0 ] || refuse 'rsync -e without a value'; tunnel_ssh "$1"; e=1; shift ;;
      -rlptgo|-u|-aH|-z|-rlc|-n|--numeric-ids|-M--fake-super|--delete-delay|--delay-updates|--fuzzy|--stats|--info=progress2) ;;
      '--exclude=.*.partial.*'|"--exclude=/$MARK"|"--filter=P /$MARK") ;;
      --max-delete=*|--timeout=*|--bwlimit=*) digits "\${a#*=}" "\${a%%=*}" ;;
      --out-format=*) case \${a#*=} in "$FMT") ;; *) refuse "rsync $a" ;; esac ;;
      --link-dest=/*) ;;
      --rsync-path=*) case \${a#*=} in ''|-*|*[!A-Za-z0-9_./-]*) refuse "rsync $a" ;; esac ;;
      *) refuse "rsync option $a is not one Burrow uses" ;;
    esac
  done
  [ -n "$e" ] || refuse 'rsync without the tunnel ssh (-e)'
  [ $# -ge 2 ] || refuse 'rsync without sources and a destination after --'
  while [ $# -gt 1 ]; do
    case $1 in /*) ;; *) refuse "rsync source $1 is not an absolute path on this host" ;; esac
    shift
  done
  case $1 in *:*) ;; *) refuse 'rsync writing on this host' ;; esac
  user_at_tunnel "$1"
}
check_ssh() {
  s=
  while [ $# -gt 2 ]; do
    case $1 in *" "*|'') refuse 'ssh argument with a space' ;; esac
    s=\${s:+$s }$1; shift
  done
  tunnel_ssh "$s"
  case $1 in *:*) refuse 'not a login through the tunnel' ;; esac
  user_at_tunnel "$1"
  [ "$2" = true ] || refuse 'ssh through the tunnel runs only "true"'
}

case $1 in
  sh)
    [ $# -ge 4 ] && [ "$2" = -c ] && [ "$4" = burrow ] || refuse 'sh without a Burrow script'
    sum=$(printf '%s' "$3" | sha256sum) || refuse 'sha256sum failed'
    sum=\${sum%% *}
    case $HASHES in
      *" $sum "*) ;;
      *) refuse "script $sum is not one of Burrow's (after an upgrade, install the source key again to update this gate)" ;;
    esac ;;
  rsync) check_rsync "$@" ;;
  ssh) [ $# -ge 3 ] || refuse 'ssh without a destination'; check_ssh "$@" ;;
  *) refuse "$1 is not one of Burrow's commands" ;;
esac
exec "$@"
`;
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
