/**
 * The V8 heap setting of every process that hosts the tunnel relay.
 *
 * ssh2 hands each 32 KiB packet of a forwarded channel over in a fresh
 * buffer, and every 64 KiB socket read allocates another: about 1.5 bytes of
 * external memory per relayed byte. In a process holding an application-sized
 * heap, V8's own growth heuristic then runs a full mark-compact every ~15 MiB
 * relayed (about 30 per 256 MiB), the largest single share of the relay's
 * CPU. Letting the heap limit grow to 5× the live heap after each
 * mark-compact (instead of the heuristic's 1.1-4×) removes almost all of
 * them: scavenges alone collect the short-lived buffers. docs/performance.md
 * (section 1) shows the full-GC count and the CPU per GiB with and without it.
 *
 * NODE_OPTIONS refuses this flag, so each entry point sets it with
 * `v8.setFlagsFromString` as its first statement: electron/cli/burrow.mjs
 * (which cannot import this file: it runs before tsx or the bundle is
 * loaded, so it spells the same string, checked by
 * test/unit/relay-heap.test.ts), the Electron main bundle (first import of
 * electron/main/main.ts) and the bench's relay process.
 */
import { setFlagsFromString } from 'node:v8';

/** `--heap-growing-percent=400`: the heap limit after a mark-compact is (1 + 400/100) × the live heap. */
export const RELAY_HEAP_FLAGS = '--heap-growing-percent=400';

/** Sets {@link RELAY_HEAP_FLAGS}; V8 reads it at every later GC, so call it before the process has a heap to speak of. */
export function tuneHeapForRelay(): void {
  setFlagsFromString(RELAY_HEAP_FLAGS);
}
