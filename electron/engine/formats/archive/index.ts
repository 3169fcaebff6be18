/** The `archive` format: date-stamped compressed tarballs, packed on the source (the original layout). */
import type { StorageFormat } from '../storage-format';
import { packArchives } from './pack';
import { pruneArchivesAtDestination, pruneHolding } from './prune';
import { listArchivesStored, restoreArchiveStored, verifyArchivesStored } from './stored';
import { guardArchives, transferArchives, verifyArchivesArrived } from './transfer';

export const archiveFormat: StorageFormat = {
  name: 'archive',
  pack: packArchives,
  pruneSource: pruneHolding,
  guard: guardArchives,
  transfer: transferArchives,
  verify: (ctx) => verifyArchivesArrived(ctx),
  pruneDestination: pruneArchivesAtDestination,
  list: listArchivesStored,
  verifyStored: verifyArchivesStored,
  restore: restoreArchiveStored,
};
