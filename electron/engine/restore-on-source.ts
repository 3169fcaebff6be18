/**
 * Restoring onto the source: connect, open the tunnel, pin the destination
 * on the source, then rsync on the source pulls from the destination
 * through the tunnel (the source still reaches nothing directly). Never
 * over an existing path unless asked. Every storage format's restore to the
 * source starts so. It needs a login the source key's gate does not guard:
 * the gate refuses rsync writing on the source, and every script here.
 */
import { BurrowError } from './errors';
import type { RunContext } from './run-context';
import { shScript } from './shell-quote';
import { lastLine } from './ssh/ssh-session';
import { connectStep } from './steps/connect';
import { tunnelStep } from './steps/tunnel';
import { tunnelSshCommand, writeSourceKnownHosts } from './tunnel-rsync';

/** Of the paths on standard input (NUL-separated, relative to "$1"), those that exist, NUL-separated. */
const EXISTING_BELOW =
  'cd -- "$1" 2>/dev/null || exit 0; exec xargs -0 -r sh -c \'for f; do if [ -e "$f" ] || [ -L "$f" ]; then printf "%s\\0" "$f"; fi; done\' burrow';

const nul = (names: readonly string[]) => names.map((n) => `${n}\0`).join('');

/**
 * Connects, opens the tunnel and pins the destination on the source, then
 * checks that none of `paths` exists below `dir` there (unless in place);
 * returns the tunnel ssh command for rsync's -e.
 */
export async function prepareRestoreOnSource(ctx: RunContext, dir: string, paths: readonly string[], inPlace = false): Promise<string> {
  await connectStep(ctx);
  await tunnelStep(ctx);
  const knownHosts = await writeSourceKnownHosts(ctx);
  if (!inPlace) {
    const r = await ctx.source!.exec(shScript(EXISTING_BELOW, [dir]), { stdin: nul(paths) });
    if (r.stderr.includes('burrow-gate: refused')) throw gateRefusal(ctx);
    const there = r.stdout.split('\0').filter(Boolean);
    if (there.length > 0) throw new BurrowError('config', `${there.map((p) => `${ctx.job.source}:${dir}/${p}`).join(', ')} already exist: not overwritten`);
  }
  return tunnelSshCommand(ctx.tunnel!.port, knownHosts);
}

function gateRefusal(ctx: RunContext): BurrowError {
  return new BurrowError(
    'auth',
    `the source gate on ${ctx.job.source} refuses restores onto the source, by design: its key may not write there. ` +
      `Restore with your own login: give host ${ctx.job.source} an identityFile (or ssh-agent key) that is not Burrow's gated source key, or restore to the laptop and copy.`,
  );
}

/** rsync on the source (with the agent), pulling from the destination through the tunnel; `stdin` for --files-from. */
export async function rsyncOntoSource(ctx: RunContext, argv: string[], what: string, stdin?: string): Promise<void> {
  const r = await ctx.source!.exec(argv, { agentForward: true, ...(stdin !== undefined ? { stdin } : {}) });
  if (r.stderr.includes('burrow-gate: refused')) throw gateRefusal(ctx);
  if (r.code !== 0) throw new BurrowError('rsync', `restoring ${what} onto ${ctx.job.source} failed: ${lastLine(r.stderr) || `exit ${r.code}`}`);
}

/** SHA-256 of the files named on standard input (NUL-separated, relative to "$1"). */
const SUMS_BELOW = 'cd -- "$1" || exit 66; exec xargs -0 -r sha256sum -z --';

/** SHA-256 of restored files on the source, by path relative to `dir`. */
export async function sumsOnSource(ctx: RunContext, dir: string, names: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (names.length === 0) return out;
  const r = await ctx.source!.exec(shScript(SUMS_BELOW, [dir]), { stdin: nul(names), maxKeep: 64_000_000 });
  for (const rec of r.stdout.split('\0')) {
    const m = /^([0-9a-f]{64}) [ *](.*)$/s.exec(rec);
    if (m) out.set(m[2]!, m[1]!);
  }
  return out;
}
