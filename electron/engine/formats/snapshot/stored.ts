/**
 * The snapshots a job keeps at the destination, and getting one back: a
 * day goes back onto the source through the tunnel, with the owners and
 * modes stored with --fake-super.
 */
import { BurrowError } from '../../errors';
import type { RunContext } from '../../run-context';
import { prepareRestoreOnSource, rsyncOntoSource } from '../../restore-on-source';
import { throughTunnel } from '../../tunnel-rsync';
import type { Restored, RestoreOptions } from '../storage-format';
import { fakeSuper, snapshotRoot } from './transfer';

/**
 * A snapshot (a YYYY-MM-DD directory) goes back onto the source through the
 * tunnel into `<dir>/<date>/`, which must not exist yet; the owners and modes
 * stored with --fake-super come back with it (owners only where the source
 * side runs as root).
 */
export async function restoreSnapshotStored(ctx: RunContext, opts: RestoreOptions): Promise<Restored> {
  const { job } = ctx;
  const date = opts.archive;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new BurrowError('config', `"${date}" is not a snapshot name (YYYY-MM-DD)`);
  if (!opts.toSource) throw new BurrowError('config', 'a snapshot is restored onto the source: give --to-source DIR');
  const target = `${opts.toSource!.replace(/\/+$/, '')}/${date}`;
  const rsh = await prepareRestoreOnSource(ctx, target);
  const argv = [
    'rsync',
    '-aH',
    '--numeric-ids',
    '--mkpath',
    ...fakeSuper(ctx),
    '-e',
    rsh,
    '--',
    throughTunnel(ctx, `${snapshotRoot(ctx)}/${date}/`),
    `${target}/`,
  ];
  await rsyncOntoSource(ctx, job.sudo ? ['sudo', '-n', '-E', ...argv] : argv, `snapshot ${date}`);
  return { path: target, sha256: '', extractedTo: target };
}
