/**
 * A backup's tree as a flat list of entries (a snapshot's manifest, an
 * archive's listing): one directory's children, and the entries a search
 * finds. Pure.
 */
import type { BackupEntryView, SearchHitView } from '../../../shared/api-contract';
import { BurrowError } from '../errors';

/** The entries directly below `dir` ('' for the top), directories first, then by name. */
export function childrenOf(entries: Iterable<BackupEntryView>, dir: string): BackupEntryView[] {
  const prefix = dir === '' ? '' : `${dir.replace(/\/+$/, '')}/`;
  const out = new Map<string, BackupEntryView>();
  for (const e of entries) {
    if (!e.path.startsWith(prefix) || e.path === dir) continue;
    const rest = e.path.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash < 0) out.set(rest, e);
    else {
      // A directory known only from what is below it (an archive may lack its entry).
      const name = rest.slice(0, slash);
      if (!out.has(name)) out.set(name, { path: `${prefix}${name}`, name, type: 'dir', size: 0, mtime: 0 });
    }
  }
  return [...out.values()].sort((a, b) => (a.type === 'dir' ? 0 : 1) - (b.type === 'dir' ? 0 : 1) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Whether an entry's own name (not its parents') contains `query`, ignoring case. */
export function nameMatches(path: string, query: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return name.toLowerCase().includes(query.toLowerCase());
}

/** Hits sorted by path, then newest day first. */
export function sortHits(hits: SearchHitView[]): SearchHitView[] {
  return hits.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : b.backup.localeCompare(a.backup)));
}

export const baseNameOf = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** Every restored path, and its parents, must be inside the backup: no `..`, `.`, empty part or leading `/`. */
export function checkBackupPath(path: string): string {
  const clean = path.replace(/\/+$/, '');
  if (clean === '' || clean.startsWith('/') || clean.split('/').some((c) => c === '' || c === '.' || c === '..') || clean.includes('\0'))
    throw new BurrowError('config', `"${path}" is not a path inside the backup (no leading /, no . or .. parts)`);
  return clean;
}
