/**
 * Every storage format, by the name a job's config gives. Adding one is a
 * folder beside these and one line here: the record's type demands an entry
 * for every name in shared/formats.ts, and StorageFormat every method.
 */
import type { FormatName } from '../../../shared/formats';
import { archiveFormat } from './archive';
import { snapshotFormat } from './snapshot';
import type { StorageFormat } from './storage-format';

export const STORAGE_FORMATS: Readonly<Record<FormatName, StorageFormat>> = {
  archive: archiveFormat,
  snapshot: snapshotFormat,
};

export const formatOf = (job: { format: FormatName }): StorageFormat => STORAGE_FORMATS[job.format];
