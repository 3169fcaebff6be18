/**
 * authorized_keys lines for Burrow's keys, and the remote scripts that put
 * one in place (idempotently) and check what a restricted line needs.
 *
 * The restrictions (sshd(8), AUTHORIZED_KEYS FILE FORMAT):
 *
 * - destination: `restrict,command="rrsync -wo -absolute DIR"`. The key can
 *   only run rsync in receiver mode below DIR: no shell, no other command,
 *   no reading back (`-wo`), no forwarding of any kind, no pty, no agent, no
 *   ~/.ssh/rc. `-absolute` because Burrow's transfer names the destination
 *   by its absolute path.
 * - source: `restrict,port-forwarding,permitlisten="127.0.0.1:*",
 *   permitopen="burrow.invalid:1",agent-forwarding,command="sh .ssh/burrow-gate"`.
 *   The key can open the reverse forward on the source's loopback only, and
 *   forward the agent (rsync needs both); no pty, no X11, no ~/.ssh/rc, no
 *   listener on other addresses, and local forwards (-L/-W) only to a name
 *   that never resolves (RFC 6761 .invalid), which in effect forbids them:
 *   sshd has no "remote forwards only" key option. Every command goes
 *   through the gate (source-gate.ts), which admits only Burrow's own.
 */
import { PUBLIC_KEY_LINE } from '../../../shared/config-schema';
import { BurrowError } from '../errors';
import { shQuote } from '../shell-quote';

/** How a key may be used on the host it is installed on. */
export type KeyRole = 'unrestricted' | 'source' | 'destination';

/** Where the source key's gate lives, relative to the home directory (sshd starts forced commands there). */
export const SOURCE_GATE_PATH = '.ssh/burrow-gate';

/** The options of a source key (see the top of this file for what they allow). */
export const SOURCE_KEY_OPTIONS = `restrict,port-forwarding,permitlisten="127.0.0.1:*",permitopen="burrow.invalid:1",agent-forwarding,command="sh ${SOURCE_GATE_PATH}"`;

/** `type base64` of a public key line (comment dropped); throws on anything else. */
export function publicKeyParts(publicKeyLine: string): { type: string; base64: string; comment: string } {
  const [type, base64, ...comment] = publicKeyLine.trim().split(/\s+/);
  if (!type || !base64 || !PUBLIC_KEY_LINE.test(`${type} ${base64}`)) throw new BurrowError('config', 'not an OpenSSH public key line');
  return { type, base64, comment: comment.join(' ') };
}

/** The forced command of a destination key; the path is quoted for the shell sshd runs it with. */
export function destinationKeyOptions(rrsyncPath: string, dir: string): string {
  for (const [what, v] of [
    ['rrsync path', rrsyncPath],
    ['backup path', dir],
  ] as const) {
    // sshd's option parser only knows \" as an escape; keep the option text unambiguous.
    if (/["\\\n\r\0]/.test(v))
      throw new BurrowError('config', `the ${what} ${JSON.stringify(v)} cannot go into a forced command (no quotes, backslashes or newlines)`);
  }
  if (!dir.startsWith('/')) throw new BurrowError('config', `the backup path "${dir}" must be absolute`);
  return `restrict,command="${shQuote(rrsyncPath)} -wo -absolute ${shQuote(dir)}"`;
}

/** The authorized_keys line: options (if any), the key, its comment. */
export function authorizedKeyLine(publicKeyLine: string, options?: string): string {
  const { type, base64, comment } = publicKeyParts(publicKeyLine);
  return [options, type, base64, comment].filter(Boolean).join(' ');
}

/**
 * Puts line "$2" into ~/.ssh/authorized_keys once, and replaces any other
 * line for the same key (blob "$1"): sshd uses the first line that matches
 * a key, so an old unrestricted line would defeat a new restricted one.
 * Creates ~/.ssh 0700 and the file 0600 when missing; otherwise leaves
 * their modes alone. Prints added, present or replaced.
 */
export const INSTALL_SCRIPT = `umask 077
cd || exit 70
if [ ! -d .ssh ]; then mkdir .ssh && chmod 700 .ssh || exit 71; fi
f=.ssh/authorized_keys
if [ ! -e "$f" ]; then : > "$f" && chmod 600 "$f" || exit 72; fi
n=$(awk -v b="$1" '{ for (i = 1; i <= NF; i++) if ($i == b) { c++; break } } END { print c + 0 }' "$f") || exit 73
if [ "$n" = 1 ] && grep -qxF -- "$2" "$f"; then echo present; exit 0; fi
if [ "$n" = 0 ]; then
  if [ -s "$f" ] && [ -n "$(tail -c 1 "$f")" ]; then printf '\\n' >> "$f"; fi
  printf '%s\\n' "$2" >> "$f" || exit 74
  echo added
else
  t="$f.burrow.$$"
  { awk -v b="$1" '{ for (i = 1; i <= NF; i++) if ($i == b) next; print }' "$f" > "$t" && printf '%s\\n' "$2" >> "$t" && mv -f "$t" "$f"; } || { rm -f "$t"; exit 75; }
  echo replaced
fi
if command -v restorecon >/dev/null 2>&1; then restorecon -F .ssh "$f" >/dev/null 2>&1 || :; fi
exit 0`;

/**
 * What a destination key needs on the host, NUL-separated: `rrsync` and its
 * path (or `missing`), `absolute` when it supports -absolute, `runs` when
 * it starts at all, and `dir` with the physical path of "$1" when that is
 * a directory.
 */
export const DESTINATION_PROBE_SCRIPT = `r=$(command -v rrsync) || { printf 'missing\\0'; exit 0; }
printf 'rrsync\\0%s\\0' "$r"
h=$("$r" -h 2>&1) && printf 'runs\\0'
case $h in *-absolute*) printf 'absolute\\0' ;; esac
if [ -d "$1" ]; then printf 'dir\\0%s\\0' "$(cd -P -- "$1" && pwd -P)"; fi
exit 0`;

/** What DESTINATION_PROBE_SCRIPT found on the host. */
export interface DestinationProbe {
  rrsync?: string;
  runs: boolean;
  absolute: boolean;
  /** The physical path of the backup dir, when it is a directory. */
  dir?: string;
}

/** Reads DESTINATION_PROBE_SCRIPT's output. */
export function parseDestinationProbe(stdout: string): DestinationProbe {
  const parts = stdout.split('\0');
  const probe: DestinationProbe = { runs: parts.includes('runs'), absolute: parts.includes('absolute') };
  const at = (k: string) => {
    const i = parts.indexOf(k);
    return i >= 0 ? parts[i + 1] : undefined;
  };
  const rrsync = at('rrsync');
  const dir = at('dir');
  if (rrsync) probe.rrsync = rrsync;
  if (dir) probe.dir = dir;
  return probe;
}
