/** The `archive` format: date-stamped compressed tarballs, packed on the source (the original layout). */
import type { StorageFormat } from '../storage-format';
import { cleanArchiveDestination, cleanHolding } from './leftovers';
import { packArchives } from './pack';
import { pruneArchivesAtDestination, pruneHolding } from './prune';
import { browseArchives, countArchives, listArchivesStored, restoreArchiveStored, searchArchives, verifyArchivesStored } from './stored';
import { guardArchives, transferArchives, verifyArchivesArrived } from './transfer';

export const archiveFormat: StorageFormat = {
  name: 'archive',
  pack: packArchives,
  pruneSource: pruneHolding,
  guard: guardArchives,
  transfer: transferArchives,
  verify: (ctx) => verifyArchivesArrived(ctx),
  cleanSource: cleanHolding,
  cleanDestination: cleanArchiveDestination,
  pruneDestination: pruneArchivesAtDestination,
  countStored: countArchives,
  setUpCreates: () => [],
  list: listArchivesStored,
  browse: browseArchives,
  search: searchArchives,
  verifyStored: verifyArchivesStored,
  restore: restoreArchiveStored,
};
