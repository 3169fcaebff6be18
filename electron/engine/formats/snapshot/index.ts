/** The `snapshot` format: the trees themselves, one complete day per directory at the destination, unchanged files hard-linked. */
import type { StorageFormat } from '../storage-format';
import { snapshotRoot } from './layout';
import { cleanSnapshotDestination } from './leftovers';
import { browseSnapshot, listSnapshotsStored, restoreSnapshot, searchSnapshots } from './stored';
import { countSnapshots, guardSnapshot, pruneSnapshotsAtDestination, transferSnapshot } from './transfer';
import { verifySnapshot, verifySnapshotsStored } from './verify';
import { openDestination } from '../../steps/connect';

export const snapshotFormat: StorageFormat = {
  name: 'snapshot',
  pack: async () => ({ skipped: true, detail: 'snapshot format: the trees are sent as they are' }),
  pruneSource: async () => ({ skipped: true, detail: 'snapshot format: no holding dir; old snapshots are pruned at the destination' }),
  guard: (ctx) => guardSnapshot(ctx),
  transfer: transferSnapshot,
  verify: (ctx) => verifySnapshot(ctx),
  cleanSource: async () => [], // no holding dir: the run's temporary directory is all it leaves there
  cleanDestination: cleanSnapshotDestination,
  pruneDestination: pruneSnapshotsAtDestination,
  countStored: countSnapshots,
  setUpCreates: (ctx) => [`the job's directory ${ctx.job.destination.host}:${snapshotRoot(ctx)} (at the first run), one directory per day below it`],
  list: listSnapshotsStored,
  browse: browseSnapshot,
  search: searchSnapshots,
  verifyStored: async (ctx, records, which) => {
    await openDestination(ctx);
    return verifySnapshotsStored(ctx, records, which);
  },
  restore: restoreSnapshot,
};
