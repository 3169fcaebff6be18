/**
 * Every fixed script Burrow runs on the source, with the rule the source
 * key's gate (source-gate.ts) checks its arguments by. A script not listed
 * here is refused by the gate; adding one means one line here and, when its
 * arguments are of a new shape, one `chk_` function in the gate.
 */
import { createHash } from 'node:crypto';
import { RSYNC_VERSION_SCRIPT } from '../steps/commands';
import { LIST_WITH_MARKER_SCRIPT } from '../destination-marker';
import { STALE_PARTIALS_SCRIPT } from '../formats/archive/leftovers';
import { EXISTING_SCRIPT, MKDIR_SCRIPT, PACK_SCRIPT } from '../formats/archive/pack';
import { HOLDING_AGES_SCRIPT, REMOVE_SCRIPT } from '../formats/archive/prune';
import { SUMS_SCRIPT } from '../formats/archive/transfer';
import { SOURCES_PRESENT } from '../formats/snapshot/transfer';
import { SENT_SUMS_SCRIPT } from '../formats/snapshot/verify';
import { REMOVE_TMP_SCRIPT } from '../steps/teardown';
import { KNOWN_HOSTS_SCRIPT, MKTEMP_SCRIPT, RUN_TMP_SCRIPT, STALE_TMP_SCRIPT } from '../tunnel-rsync';

/**
 * Asks the source whether a gate guards this login: the gate answers it
 * itself (its version, scripts hash and pins); without a gate the script
 * runs and says so.
 */
export const GATE_QUERY_SCRIPT = 'echo no-gate';

/** How the gate checks a script's arguments: the name of a function in the gate. */
export type ArgRule =
  | 'none'
  | 'pack'
  | 'holding-create'
  | 'holding-read'
  | 'holding-marker'
  | 'holding-files'
  | 'holding-remove'
  | 'holding-paths'
  | 'job-paths'
  | 'job-name'
  | 'tmp-dir'
  | 'known-hosts';

/** Every fixed script Burrow runs on the source (a backup, a dry run, a check), with the rule for its arguments. */
export const SOURCE_SCRIPTS: readonly { text: string; rule: ArgRule }[] = [
  { text: PACK_SCRIPT, rule: 'pack' },
  { text: MKDIR_SCRIPT, rule: 'holding-create' },
  { text: EXISTING_SCRIPT, rule: 'holding-paths' },
  { text: HOLDING_AGES_SCRIPT, rule: 'holding-read' },
  // The clean-up: half-written archives in a pinned holding dir whose packing process is gone.
  { text: STALE_PARTIALS_SCRIPT, rule: 'holding-read' },
  { text: REMOVE_SCRIPT, rule: 'holding-remove' },
  { text: LIST_WITH_MARKER_SCRIPT, rule: 'holding-marker' },
  { text: SUMS_SCRIPT, rule: 'holding-files' },
  { text: SOURCES_PRESENT, rule: 'job-paths' },
  // Checksums of the files a snapshot run just sent: the job's directories as arguments, the names on standard input.
  { text: SENT_SUMS_SCRIPT, rule: 'job-paths' },
  { text: MKTEMP_SCRIPT, rule: 'none' },
  // A run's temporary directory, marked with its (pinned) job; the clean-up of that job's earlier ones, and of any older than a day.
  { text: RUN_TMP_SCRIPT, rule: 'job-name' },
  { text: STALE_TMP_SCRIPT, rule: 'job-name' },
  { text: RSYNC_VERSION_SCRIPT, rule: 'none' },
  { text: KNOWN_HOSTS_SCRIPT, rule: 'known-hosts' },
  { text: REMOVE_TMP_SCRIPT, rule: 'tmp-dir' },
];

export const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** One hash for the whole set of scripts: the gate answers it, so an upgrade that changed one is seen at once. */
export function scriptsHash(scripts: readonly { text: string }[] = SOURCE_SCRIPTS): string {
  return sha256Hex([...new Set(scripts.map((s) => sha256Hex(s.text)))].sort().join(' ').concat(' ', GATE_QUERY_SCRIPT)).slice(0, 16);
}
