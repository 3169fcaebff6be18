/**
 * A test-restore of archives on the destination host itself: decompress
 * test, tar listing, and SHA-256 against the one recorded when each was
 * sent. `burrow verify` and the verify step's rolling sample use it.
 */
import { shScript } from '../../shell-quote';
import type { SshSession } from '../../ssh/ssh-session';
import type { VerifyResult } from '../storage-format';

/** For each archive: name NUL decompress-test-ok NUL tar-entries-or-error NUL sha256 NUL. */
const VERIFY_SCRIPT = `cd -- "$1" || exit 66; shift
for f; do
  case "$f" in *.bz2) p=bzip2;; *.gz) p=gzip;; *.zst) p=zstd;; *) p=cat;; esac
  if [ ! -f "$f" ]; then printf "%s\\0missing\\0\\0\\0" "$f"; continue; fi
  if $p -t < "$f" 2>/dev/null; then t=ok; else t=failed; fi
  n=$($p -dc < "$f" 2>/dev/null | tar -tf - 2>/dev/null | wc -l | tr -d ' ')
  $p -dc < "$f" 2>/dev/null | tar -tf - >/dev/null 2>&1 || n="unreadable"
  printf "%s\\0%s\\0%s\\0%s\\0" "$f" "$t" "$n" "$(sha256sum < "$f" | cut -d' ' -f1)"
done`;
const TEST_PROGRAM: Record<string, string> = { bz2: 'bzip2', gz: 'gzip', zst: 'zstd' };

/** Test-restores `names` on the destination: decompress test, tar listing, SHA-256 against `sums` (recorded at transfer). */
export async function testArchives(dest: SshSession, dir: string, names: string[], sums: Map<string, string>, signal?: AbortSignal): Promise<VerifyResult[]> {
  if (names.length === 0) return [];
  const r = await dest.run(shScript(VERIFY_SCRIPT, [dir, ...names]), 'verifying archives', signal ? { signal } : {});
  const parts = r.stdout.split('\0');
  const results: VerifyResult[] = [];
  for (let i = 0; i + 3 < parts.length; i += 4) {
    const [name, test, entries, sha] = [parts[i]!, parts[i + 1]!, parts[i + 2]!, parts[i + 3]!];
    const problems: string[] = [];
    if (test === 'missing') problems.push('missing at the destination');
    else {
      if (test !== 'ok') problems.push(`${TEST_PROGRAM[name.split('.').pop()!] ?? 'decompress'} -t failed: the archive is corrupt`);
      if (!/^\d+$/.test(entries)) problems.push('tar cannot list it');
      const recorded = sums.get(name);
      if (recorded && recorded !== sha) problems.push(`SHA-256 ${sha.slice(0, 12)}… differs from ${recorded.slice(0, 12)}… recorded at transfer`);
    }
    const result: VerifyResult = { name, ok: problems.length === 0, problems };
    if (/^\d+$/.test(entries)) result.entries = Number(entries);
    results.push(result);
  }
  return results;
}
