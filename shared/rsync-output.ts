/**
 * Reads what rsync prints with `--info=progress2 --stats` and Burrow's
 * `--out-format`, as it arrives in chunks. Pure and browser-safe.
 */
import type { TransferProgress, TransferStats } from './run-types';

/** The prefix Burrow gives each item line via `--out-format`. */
export const ITEM_PREFIX = 'burrow-item ';
export const OUT_FORMAT = `${ITEM_PREFIX}%i %l %n`;

const PROGRESS2 = /^\s*([\d,]+)\s+(\d+)%\s+([\d.]+)([kMGT]?B)\/s\s+(\d+):(\d\d):(\d\d)/;
const UNIT: Record<string, number> = { B: 1, kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

/** Parses one progress2 line ("  21,561,344  71%   19.55MB/s    0:00:00 (xfr#1, to-chk=1/3)"). */
export function parseProgressLine(line: string): TransferProgress | undefined {
  const m = PROGRESS2.exec(line);
  if (!m) return undefined;
  const [, bytes, percent, speed, unit, h, mi, s] = m;
  const progress: TransferProgress = {
    bytes: Number(bytes!.replaceAll(',', '')),
    percent: Number(percent),
    speedBps: Math.round(Number(speed) * (UNIT[unit!] ?? 1)),
  };
  // rsync shows the ETA while running and the elapsed time on a file's final
  // line (the one with "xfr#"); only the former is an ETA.
  if (!line.includes('xfr#')) progress.etaSec = Number(h) * 3600 + Number(mi) * 60 + Number(s);
  return progress;
}

/** rsync escapes unprintable bytes in names as `\#ooo` (octal). */
export function unescapeRsyncName(name: string): string {
  return name.replace(/\\#([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export interface ItemLine {
  /** rsync's itemize string, e.g. `>f+++++++++`, or `*deleting`. */
  change: string;
  size: number;
  name: string;
}

export function parseItemLine(line: string): ItemLine | undefined {
  if (!line.startsWith(ITEM_PREFIX)) return undefined;
  const m = /^(\S+)\s+(\d+)\s(.*)$/.exec(line.slice(ITEM_PREFIX.length));
  if (!m) return undefined;
  return { change: m[1]!, size: Number(m[2]), name: unescapeRsyncName(m[3]!) };
}

const STAT_LINES: Record<string, keyof Pick<TransferStats, 'bytesSent' | 'bytesReceived' | 'totalSize'>> = {
  'Total bytes sent': 'bytesSent',
  'Total bytes received': 'bytesReceived',
  'Total file size': 'totalSize',
};

/**
 * Accumulates rsync's stdout. Feed it chunks; it calls back on progress and
 * keeps the items and `--stats` totals for `stats()`.
 */
export class RsyncOutputReader {
  private rest = '';
  private readonly items: ItemLine[] = [];
  private readonly totals = { bytesSent: 0, bytesReceived: 0, totalSize: 0 };
  private currentFile: string | undefined;
  private statsSeen = false;
  /** rsync's running total of bytes done, from its last progress line. */
  private progressBytes = 0;

  constructor(private readonly onProgress: (p: TransferProgress) => void = () => {}) {}

  push(chunk: string): void {
    const text = this.rest + chunk;
    const parts = text.split(/[\r\n]/);
    this.rest = parts.pop() ?? '';
    for (const line of parts) this.line(line);
  }

  end(): void {
    if (this.rest !== '') this.line(this.rest);
    this.rest = '';
  }

  private line(line: string): void {
    const item = parseItemLine(line);
    if (item) {
      this.items.push(item);
      if (item.change.startsWith('>') || item.change.startsWith('<')) this.currentFile = item.name;
      return;
    }
    const progress = parseProgressLine(line);
    if (progress) {
      if (this.currentFile !== undefined) progress.file = this.currentFile;
      this.progressBytes = Math.max(this.progressBytes, progress.bytes);
      this.onProgress(progress);
      return;
    }
    const stat = /^([A-Za-z ]+): ([\d,]+)/.exec(line);
    const key = stat ? STAT_LINES[stat[1]!] : undefined;
    if (stat && key) {
      this.totals[key] = Number(stat[2]!.replaceAll(',', ''));
      this.statsSeen = true;
    }
  }

  /** Symlinks rsync created (`cL+++++++++`): a destination with --fake-super stores them as small files. */
  symlinks(): string[] {
    return this.items.filter((i) => /^[ch.]L/.test(i.change)).map((i) => i.name);
  }

  /**
   * What rsync moved: its `--stats` totals, or, when it was stopped before
   * printing them (a cancel, a broken link), the bytes its progress had
   * reached, so the record keeps what moved.
   */
  stats(): TransferStats {
    return {
      ...this.totals,
      ...(this.statsSeen ? {} : { bytesSent: this.progressBytes }),
      transferred: this.items.filter((i) => /^[<>]f/.test(i.change)).map((i) => i.name),
      deleted: this.items.filter((i) => i.change === '*deleting').map((i) => i.name),
    };
  }
}
