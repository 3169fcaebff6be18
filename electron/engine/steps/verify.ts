/**
 * Checks that every archive in the holding dir arrived: the laptop computes
 * size and SHA-256 on the source and, over its own connection, on the
 * destination, and compares them.
 */
import type { ArchiveInfo } from '../../../shared/run-types';
import { BurrowError } from '../errors';
import { shScript } from '../shell-quote';
import { SshSession } from '../ssh/ssh-session';
import type { RunContext, StepOutcome } from '../run-context';
import { sshCommandFor } from './commands';
import { verifySnapshot } from './snapshot';

/** For each named file directly in dir "$1" (a name, never a path): name NUL size NUL sha256 NUL, or name NUL "missing" NUL NUL. */
export const SUMS_SCRIPT = `cd -- "$1" || exit 66; shift
for f; do
  case $f in */*|.|..) echo "not a file name: $f" >&2; exit 64 ;; esac
  if [ -f "$f" ]; then printf "%s\\0%s\\0%s\\0" "$f" "$(wc -c < "$f" | tr -d ' ')" "$(sha256sum < "$f" | cut -d' ' -f1)"
  else printf "%s\\0missing\\0\\0" "$f"; fi
done`;
/** Visible regular files directly in dir "$1", NUL-separated. */
export const LIST_FILES_SCRIPT = 'cd -- "$1" || exit 66; for f in *; do [ -f "$f" ] && printf "%s\\0" "$f"; done; exit 0';

export async function sums(session: SshSession, dir: string, names: string[], signal: AbortSignal): Promise<Map<string, ArchiveInfo | 'missing'>> {
  const out = new Map<string, ArchiveInfo | 'missing'>();
  if (names.length === 0) return out;
  const r = await session.run(shScript(SUMS_SCRIPT, [dir, ...names]), `checksumming ${dir}`, { signal });
  const parts = r.stdout.split('\0');
  for (let i = 0; i + 2 < parts.length; i += 3) {
    const [name, size, sha256] = [parts[i]!, parts[i + 1]!, parts[i + 2]!];
    out.set(name, size === 'missing' ? 'missing' : { name, size: Number(size), sha256 });
  }
  return out;
}

export async function verifyStep(ctx: RunContext): Promise<StepOutcome> {
  const { job } = ctx;
  if (job.format === 'snapshot') return verifySnapshot(ctx, `${ctx.sourceTmp}/known_hosts`);
  const listed = await ctx.source!.run(shScript(LIST_FILES_SCRIPT, [job.holdingDir]), `listing ${job.holdingDir}`, { signal: ctx.signal });
  const names = listed.stdout.split('\0').filter((n) => n !== '');
  ctx.destination ??= await SshSession.open({ config: ctx.config, hostName: job.destination.host, agents: ctx.agents, signal: ctx.signal });
  const [atSource, atDest] = await Promise.all([
    sums(ctx.source!, job.holdingDir, names, ctx.signal),
    sums(ctx.destination, job.destination.path, names, ctx.signal),
  ]);
  const bad: string[] = [];
  const verified: ArchiveInfo[] = [];
  let bytes = 0;
  for (const name of names) {
    const s = atSource.get(name);
    const d = atDest.get(name);
    if (!s || s === 'missing') continue; // vanished from the source since the listing
    if (!d || d === 'missing') bad.push(`${name} is missing`);
    else if (d.size !== s.size || d.sha256 !== s.sha256)
      bad.push(`${name} differs (source ${s.size} bytes ${s.sha256?.slice(0, 12)}, destination ${d.size} bytes ${d.sha256?.slice(0, 12)})`);
    else {
      verified.push(s);
      bytes += s.size;
    }
  }
  ctx.record.verified = verified;
  if (bad.length > 0) throw new BurrowError('verify-mismatch', `on ${job.destination.host}: ${bad.join('; ')}`);
  return {
    detail: `${verified.length} file${verified.length === 1 ? '' : 's'} match by size and SHA-256`,
    bytes,
    command: sshCommandFor(ctx.config, job.destination.host, ['sh', '-c', `cd ${job.destination.path} && sha256sum *`]),
  };
}
