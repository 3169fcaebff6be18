/**
 * What the Electron preload puts on `window`. The type is the contract's own,
 * so the preload, the main process and this UI cannot drift apart.
 */
import type { RawBridge } from '../../../shared/api-contract';

declare global {
  interface Window {
    /** Present only in the desktop app; a browser gets the HTTP bridge instead. */
    burrow?: RawBridge;
  }
}

export {};
