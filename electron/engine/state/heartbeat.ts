/**
 * The engine's heartbeat: the spans of time it was alive, kept in a small
 * file. A wall-clock jump that monotonic time does not share (sleep, or the
 * clock being set) ends a span; a new process starts a span with a new
 * instance id. The file is rewritten (atomically) only when a span starts;
 * a beat that extends the current span only sets the file's mtime to the
 * beat's wall time, and reading takes the last span's end from it. One
 * syscall every 30 s instead of a write, an fsync and a rename: that is
 * most of what an idle daemon costs.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, stat, utimes } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Clock } from '../../../shared/clock';
import type { AliveSpan } from '../../../shared/missed-slots';
import { writeFileAtomic } from '../atomic-file';

/** Wall and monotonic time may disagree by this much before it counts as a jump. */
export const JUMP_THRESHOLD_MS = 60_000;
const KEEP_MS = 400 * 86_400_000;

export interface Beat {
  /** Wall time moved this much more (or less) than monotonic time since the last beat. */
  jumpMs: number;
  jumped: boolean;
}

export class Heartbeat {
  readonly instance = randomBytes(6).toString('hex');
  private spans: AliveSpan[] = [];
  private current?: AliveSpan;
  private lastMono?: number;
  private lastWall?: number;

  private constructor(
    private readonly path: string,
    private readonly clock: Clock,
  ) {}

  static async open(path: string, clock: Clock): Promise<Heartbeat> {
    const hb = new Heartbeat(path, clock);
    await mkdir(dirname(path), { recursive: true });
    try {
      const data = JSON.parse(await readFile(path, 'utf8')) as { spans?: AliveSpan[] };
      if (Array.isArray(data.spans)) hb.spans = data.spans.filter((s) => typeof s.from === 'number' && typeof s.to === 'number');
      // Beats after the last write only moved the mtime: they extend the last span written.
      const last = hb.spans[hb.spans.length - 1];
      const touched = (await stat(path)).mtimeMs;
      if (last && touched > last.to) last.to = Math.round(touched);
    } catch {
      // No heartbeat yet, or unreadable: the spans start now.
    }
    return hb;
  }

  /** Spans seen so far, the current one included. */
  allSpans(): AliveSpan[] {
    return this.current ? [...this.spans.filter((s) => s !== this.current), this.current] : [...this.spans];
  }

  /** The end of the last span before this process started, if any. */
  lastSeenBefore(): number | undefined {
    return this.spans.filter((s) => s.instance !== this.instance).reduce<number | undefined>((m, s) => (m === undefined || s.to > m ? s.to : m), undefined);
  }

  async beat(): Promise<Beat> {
    const wall = this.clock.now().getTime();
    const mono = this.clock.monotonicMs();
    let jumpMs = 0;
    if (this.lastMono !== undefined && this.lastWall !== undefined) jumpMs = wall - this.lastWall - (mono - this.lastMono);
    const jumped = Math.abs(jumpMs) > JUMP_THRESHOLD_MS;
    this.lastMono = mono;
    this.lastWall = wall;
    const extend = this.current !== undefined && !jumped;
    if (this.current && extend) {
      this.current.to = wall;
      const touched = await utimes(this.path, wall / 1000, wall / 1000).then(
        () => true,
        () => false,
      );
      if (touched) return { jumpMs, jumped };
    } else {
      this.current = { instance: this.instance, from: wall, to: wall };
      this.spans.push(this.current);
    }
    // A new span (or the file went missing): write them all, the current one last.
    this.spans = this.spans.filter((s) => s.to > wall - KEEP_MS || s === this.current);
    await mkdir(dirname(this.path), { recursive: true });
    await writeFileAtomic(this.path, JSON.stringify({ spans: this.spans }));
    // The mtime is the last beat's time on the engine's clock, not the file system's.
    await utimes(this.path, wall / 1000, wall / 1000);
    return { jumpMs, jumped };
  }
}
