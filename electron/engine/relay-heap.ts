/**
 * The V8 heap setting of every process that hosts the tunnel relay.
 *
 * ssh2 hands each 32 KiB packet of a forwarded channel over in a fresh
 * buffer, and every 64 KiB socket read allocates another: about 1.5 bytes of
 * external memory per relayed byte. In a process holding an application-sized
 * heap (the engine, zod, ssh2), V8's own heap growth factor (its estimate,
 * 1.1× to 4×, low while the program allocates fast) makes it run a full
 * mark-compact every ~15 MiB relayed, the largest single share of the
 * relay's CPU. A fixed factor of 5× (the heap may grow to five times what
 * the last mark-compact left) removes them: scavenges alone collect the
 * short-lived buffers. Measured by the bench (docs/performance.md, section
 * 1, the relay with and without it side by side): about 30 full GCs per
 * 512 MiB without, 0 with, and 40 % less relay CPU per GiB.
 *
 * The cost: the factor also replaces V8's memory-saving modes, so garbage
 * left by something big (reading a long history at start-up) can stay
 * longer before the next full GC. Idle, with an empty history, the daemon's
 * CPU and memory are the same with and without it (section 5).
 *
 * NODE_OPTIONS refuses this flag, so each entry point sets it with
 * `v8.setFlagsFromString` as its first statement: electron/cli/burrow.mjs
 * (which cannot import this file: it runs before tsx or the bundle is
 * loaded, so it spells the same string), the Electron main bundle (first
 * import of electron/main/main.ts: heap-first.ts) and the bench's relay
 * process (bench/relay-process.ts). test/unit/relay-heap.test.ts checks the
 * first two.
 */
import { setFlagsFromString } from 'node:v8';

/** `--heap-growing-percent=400`: the heap limit after a mark-compact is (1 + 400/100) × the live heap. */
export const RELAY_HEAP_FLAGS = '--heap-growing-percent=400';

/** Sets {@link RELAY_HEAP_FLAGS}. V8 reads it whenever a full GC sets the next heap limit, so it counts from the next GC on; call it first thing. */
export function tuneHeapForRelay(): void {
  setFlagsFromString(RELAY_HEAP_FLAGS);
}
