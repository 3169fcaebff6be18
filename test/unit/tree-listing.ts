/**
 * A listing of a directory tree (type, mode, size, mtime, link target per
 * path) and what changed between two listings, for tests that prove a
 * command changed nothing outside the places it may write.
 */
import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

export type TreeListing = Map<string, string>;

/** Every path under `dir` (symlinks not followed) with what a change would alter. */
export function listTree(dir: string, out: TreeListing = new Map()): TreeListing {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const p = join(dir, name);
    let st;
    try {
      st = lstatSync(p);
    } catch {
      continue;
    }
    const kind = st.isSymbolicLink() ? `link ${readlinkSync(p)}` : st.isDirectory() ? 'dir' : `file ${st.size} ${st.mtimeMs}`;
    out.set(p, `${kind} ${st.mode.toString(8)} ${st.uid}`);
    if (st.isDirectory() && !st.isSymbolicLink()) listTree(p, out);
  }
  return out;
}

/** `added P`, `removed P`, `changed P` for every difference outside `mayChange` (a directory prefix, or a pattern). */
export function treeChanges(before: TreeListing, after: TreeListing, mayChange: readonly (string | RegExp)[] = []): string[] {
  const allowed = (p: string) => mayChange.some((m) => (typeof m === 'string' ? p === m || p.startsWith(`${m}/`) : m.test(p)));
  const out: string[] = [];
  for (const [p, v] of after) {
    if (allowed(p)) continue;
    if (!before.has(p)) out.push(`added ${p}`);
    else if (before.get(p) !== v) out.push(`changed ${p}`);
  }
  for (const p of before.keys()) if (!after.has(p) && !allowed(p)) out.push(`removed ${p}`);
  return out.sort();
}
