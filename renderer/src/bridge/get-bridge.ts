/**
 * The one place that knows which shell the UI runs in: the desktop app's
 * preload bridge when there is one, otherwise the HTTP bridge of
 * `burrow serve`. Everything else just gets a BurrowBridge.
 */
import { bridgeFromRaw, type BurrowBridge } from '../../../shared/api-contract';
import { takeAccessToken } from './access-token';
import { createHttpBridge } from './http-bridge';

let bridge: BurrowBridge | undefined;

/** The bridge for this page, made once. */
export function getBridge(): BurrowBridge {
  if (bridge) return bridge;
  bridge = window.burrow ? bridgeFromRaw(window.burrow) : createHttpBridge({ token: takeAccessToken(window) });
  return bridge;
}
