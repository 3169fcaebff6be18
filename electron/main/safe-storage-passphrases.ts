/**
 * The desktop app's PassphraseSource memory: store keys' passphrases kept
 * encrypted by the system keyring through Electron's safeStorage (the logic
 * and file format are in passphrase-vault.ts). Where there is no keyring
 * (Linux's `basic_text`), nothing is remembered: the window says so, and a
 * run that needs a locked key asks for it with a notification that opens
 * the Keys page.
 */
import { Notification, safeStorage } from 'electron';
import type { KeyringStatus } from '../../shared/api-contract';
import type { PassphraseMemory } from '../engine/app/key-handlers';
import { PassphraseVault } from './passphrase-vault';

/** At most one "key is locked" notification per key in this time. */
const ASK_EVERY_MS = 10 * 60_000;

export interface SafeStoragePassphraseOptions {
  /** Opens the window on the Keys page. */
  openKeys: () => void;
}

/** A factory for AppService's `passphraseMemory` option. */
export function safeStoragePassphrases(opts: SafeStoragePassphraseOptions): (storeDir: string) => PassphraseMemory {
  const asked = new Map<string, number>();
  const ask = (name: string, status: KeyringStatus) => {
    const last = asked.get(name);
    if (last !== undefined && Date.now() - last < ASK_EVERY_MS) return;
    asked.set(name, Date.now());
    if (!Notification.isSupported()) return;
    const n = new Notification({
      title: `Key ${name} is locked`,
      body: `${status.remembers ? '' : `${status.message ?? 'No system keyring'}. `}Open Keys and unlock ${name} with its passphrase.`,
      urgency: 'normal',
    });
    n.on('click', () => opts.openKeys());
    n.show();
  };
  return (storeDir) => new PassphraseVault({ safe: safeStorage, storeDir, onMissing: ask });
}
