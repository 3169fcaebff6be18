/**
 * Imported first by main.ts, so the bundle sets the relay's heap flag before
 * anything else runs: the Electron main process hosts the tunnel relay
 * (electron/engine/relay-heap.ts says why).
 */
import { tuneHeapForRelay } from '../engine/relay-heap';

tuneHeapForRelay();
