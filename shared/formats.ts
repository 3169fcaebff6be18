/**
 * The storage formats a job can use, as the config and the UI know them.
 * Browser-safe: the engine's formats (electron/engine/formats/) implement
 * each one; the job editor lists these, with their words and defaults.
 */

export interface FormatInfo {
  label: string;
  /** One line for the job editor. */
  description: string;
  /** The job's `compression` applies. */
  compresses: boolean;
  /** The job packs into a holding dir on the source (`holdingDir`, `pack`, `sudo` apply) and sends that dir. */
  usesHoldingDir: boolean;
  /** The transfer mirrors the destination path with --delete (unless the destination keeps its own retention). */
  mirrorsDestination: boolean;
}

export const FORMATS = {
  snapshot: {
    label: 'Snapshot',
    description: 'each day a complete tree at the destination; unchanged files are hard links to the day before, so a day costs only what changed',
    compresses: false,
    usesHoldingDir: false,
    mirrorsDestination: false,
  },
  archive: {
    label: 'Archive',
    description: 'date-stamped compressed tarballs, packed on the source (the original layout)',
    compresses: true,
    usesHoldingDir: true,
    mirrorsDestination: true,
  },
} as const satisfies Record<string, FormatInfo>;

export type FormatName = keyof typeof FORMATS;
export const FORMAT_NAMES = Object.keys(FORMATS) as [FormatName, ...FormatName[]];

/** A job in a config that names no format keeps the original layout: Burrow never changes an existing destination by itself. */
export const DEFAULT_FORMAT: FormatName = 'archive';
/** What a job made in the editor starts with: snapshots, which the benchmark recommends, and gzip for an archive job. */
export const NEW_JOB_FORMAT: FormatName = 'snapshot';
export const NEW_JOB_COMPRESSION = 'gzip';
