/**
 * The format of the history before it moved into its database: one JSON
 * entry per line, each with a CRC-32 of its text. Kept to read an old
 * journal once, when it is migrated (journal-import.ts). It is read in
 * chunks, never as one string, so a journal of any size can be migrated.
 */
import { open } from 'node:fs/promises';
import { crc32 } from 'node:zlib';

function checksum(text: string): string {
  return crc32(text).toString(16).padStart(8, '0');
}

export function encodeLine(entry: unknown): string {
  const json = JSON.stringify(entry);
  return `${checksum(json)} ${json}\n`;
}

/** One line's entry, or undefined when it fails its checksum or does not parse. */
export function decodeLine<T>(line: string): T | undefined {
  const sp = line.indexOf(' ');
  if (sp !== 8) return undefined;
  const json = line.slice(sp + 1);
  if (checksum(json) !== line.slice(0, sp)) return undefined;
  try {
    return JSON.parse(json) as T;
  } catch {
    return undefined;
  }
}

export interface JournalScan {
  entries: number;
  /** Lines that failed their checksum or did not parse. */
  damaged: number;
  /** The last line was cut short (a write was interrupted): expected after a crash. */
  tornTail: boolean;
}

/** Reads a journal entry by entry, in order, calling `onEntry` for each whole one. */
export async function scanJournal<T>(path: string, onEntry: (entry: T) => void): Promise<JournalScan> {
  const fh = await open(path, 'r');
  const scan: JournalScan = { entries: 0, damaged: 0, tornTail: false };
  const chunk = Buffer.alloc(1 << 20);
  let rest: Buffer = Buffer.alloc(0);
  const line = (bytes: Buffer) => {
    const entry = decodeLine<T>(bytes.toString('utf8'));
    if (entry === undefined) scan.damaged++;
    else {
      scan.entries++;
      onEntry(entry);
    }
  };
  try {
    for (;;) {
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      let buf = rest.length ? Buffer.concat([rest, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      let nl: number;
      while ((nl = buf.indexOf(0x0a)) >= 0) {
        line(buf.subarray(0, nl));
        buf = buf.subarray(nl + 1);
      }
      rest = Buffer.from(buf);
    }
  } finally {
    await fh.close();
  }
  // A last line without its newline is a write that was cut short: not damage.
  if (rest.length > 0) {
    scan.tornTail = true;
    const entry = decodeLine<T>(rest.toString('utf8'));
    if (entry !== undefined) {
      scan.entries++;
      onEntry(entry);
    }
  }
  return scan;
}
