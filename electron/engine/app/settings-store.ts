import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { UiSettings } from '../../../shared/api-contract';
import { writeFileAtomic } from '../atomic-file';

export const DEFAULT_SETTINGS: UiSettings = { quiet: false, notifySuccess: false, startAtLogin: false };

/** Where the UI's own settings live: electron-store in the app, a JSON file headless. */
export interface SettingsStore {
  get(): UiSettings;
  set(patch: Partial<UiSettings>): Promise<UiSettings>;
}

export class JsonSettingsStore implements SettingsStore {
  private value: UiSettings;

  constructor(private readonly path: string) {
    let stored: Partial<UiSettings> = {};
    try {
      stored = JSON.parse(readFileSync(path, 'utf8')) as Partial<UiSettings>;
    } catch {
      // none yet, or unreadable: defaults
    }
    this.value = { ...DEFAULT_SETTINGS, ...pick(stored) };
  }

  get(): UiSettings {
    return { ...this.value };
  }

  async set(patch: Partial<UiSettings>): Promise<UiSettings> {
    this.value = { ...this.value, ...pick(patch) };
    await mkdir(dirname(this.path), { recursive: true });
    await writeFileAtomic(this.path, JSON.stringify(this.value, null, 2));
    return this.get();
  }
}

function pick(p: Partial<UiSettings>): Partial<UiSettings> {
  const out: Partial<UiSettings> = {};
  for (const k of ['quiet', 'notifySuccess', 'startAtLogin'] as const) if (typeof p[k] === 'boolean') out[k] = p[k];
  return out;
}
