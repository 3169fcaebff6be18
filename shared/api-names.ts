/**
 * The request names of the contract, without its schemas: what the preload
 * needs, kept small (no zod in the sandboxed preload). The compiler checks
 * that this list and the contract's requests are the same set.
 */
import type { ApiRequests, RequestName } from './api-contract';

export const REQUEST_NAMES = [
  'getState',
  'runNow',
  'cancelRun',
  'setPaused',
  'listRuns',
  'getRun',
  'listRunDays',
  'check',
  'getConfig',
  'saveConfig',
  'fetchHostKey',
  'setSettings',
  'importSshHosts',
  'listBackups',
  'browseBackup',
  'searchBackups',
  'verifyBackups',
  'listVerifications',
  'restoreBackup',
  'initDestination',
  'startDemo',
  'listKeys',
  'generateKey',
  'importKey',
  'deleteKey',
  'unlockKey',
  'lockKey',
  'installKey',
  'gateStatus',
  'updateGate',
  'testChannel',
] as const satisfies readonly RequestName[];

type Missing = Exclude<keyof ApiRequests, (typeof REQUEST_NAMES)[number]>;
/** Fails to compile when a request of the contract is missing above. */
export const ALL_NAMED: Missing extends never ? true : Missing = true;

/** The IPC channel a request travels on in Electron. */
export const ipcChannel = (name: RequestName) => `burrow:${name}`;
export const EVENT_CHANNEL = 'burrow:event';
