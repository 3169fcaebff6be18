/**
 * An append-only log of JSON entries, one per line, each with a CRC-32 of
 * its text. A crash or kill in the middle of a write leaves at most one torn
 * last line, which fails its checksum and is skipped; every earlier entry
 * still reads back. A damaged line anywhere else means the file was changed
 * by something else: it is copied aside before anything new is written.
 */
import { copyFile, mkdir, open, readFile, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';

function checksum(text: string): string {
  return crc32(text).toString(16).padStart(8, '0');
}

export function encodeLine(entry: unknown): string {
  const json = JSON.stringify(entry);
  return `${checksum(json)} ${json}\n`;
}

export interface JournalRead<T> {
  entries: T[];
  /** Lines that failed their checksum or did not parse. */
  damaged: number;
  /** The last line was cut short (a write was interrupted): expected after a crash. */
  tornTail: boolean;
}

export function decodeText<T>(text: string): JournalRead<T> {
  const lines = text.split('\n');
  const tornTail = lines[lines.length - 1] !== '';
  if (!tornTail) lines.pop();
  const entries: T[] = [];
  let damaged = 0;
  lines.forEach((line, i) => {
    const sp = line.indexOf(' ');
    const sum = line.slice(0, sp);
    const json = line.slice(sp + 1);
    if (sp !== 8 || checksum(json) !== sum) {
      if (!(tornTail && i === lines.length - 1)) damaged++;
      return;
    }
    try {
      entries.push(JSON.parse(json) as T);
    } catch {
      damaged++;
    }
  });
  return { entries, damaged, tornTail };
}

export class Journal<T> {
  private repaired = false;

  constructor(
    readonly path: string,
    private readonly warn: (message: string) => void = () => {},
  ) {}

  async read(): Promise<JournalRead<T>> {
    const text = await readFile(this.path, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return '';
      throw err;
    });
    return decodeText<T>(text);
  }

  /** Appends one entry durably (fsync) as a single write. */
  async append(entry: T): Promise<void> {
    if (!this.repaired) await this.repair();
    await mkdir(dirname(this.path), { recursive: true });
    const fh = await open(this.path, 'a', 0o600);
    try {
      await fh.write(encodeLine(entry));
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  /**
   * Before the first append: drop a torn last line so the next entry starts
   * on a line of its own, and keep a copy of a file with damage in its middle.
   */
  private async repair(): Promise<void> {
    this.repaired = true;
    const r = await this.read();
    if (r.damaged > 0) {
      const aside = `${this.path}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      await copyFile(this.path, aside);
      this.warn(`${this.path}: ${r.damaged} damaged line(s) skipped; a copy of the file as it was is kept at ${aside}`);
    }
    if (r.tornTail) {
      // Cut the interrupted write off, back to the end of the last whole line.
      const text = await readFile(this.path);
      await truncate(this.path, text.lastIndexOf(0x0a) + 1);
    }
  }
}
