/** The `snapshot` format: the trees themselves, one complete day per directory at the destination, unchanged files hard-linked. */
import type { StorageFormat } from '../storage-format';
import { restoreSnapshotStored } from './stored';
import { guardSnapshot, pruneSnapshotsAtDestination, transferSnapshot, verifySnapshot } from './transfer';

export const snapshotFormat: StorageFormat = {
  name: 'snapshot',
  pack: async () => ({ skipped: true, detail: 'snapshot format: the trees are sent as they are' }),
  pruneSource: async () => ({ skipped: true, detail: 'snapshot format: no holding dir; old snapshots are pruned at the destination' }),
  guard: (ctx) => guardSnapshot(ctx),
  transfer: transferSnapshot,
  verify: verifySnapshot,
  pruneDestination: pruneSnapshotsAtDestination,
  list: async () => [],
  verifyStored: async () => [],
  restore: (ctx, _records, opts) => restoreSnapshotStored(ctx, opts),
};
