import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DEFAULT_UI_SETTINGS, pickUiSettings, type UiSettings } from '../../../shared/ui-settings';
import { writeFileAtomic } from '../atomic-file';

/** Where the UI's own settings live: electron-store in the app, a JSON file headless. */
export interface SettingsStore {
  get(): UiSettings;
  set(patch: Partial<UiSettings>): Promise<UiSettings>;
}

export class JsonSettingsStore implements SettingsStore {
  private value: UiSettings;

  constructor(private readonly path: string) {
    let stored: unknown = {};
    try {
      stored = JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      // none yet, or unreadable: defaults
    }
    this.value = { ...DEFAULT_UI_SETTINGS, ...pickUiSettings(stored) };
  }

  get(): UiSettings {
    return { ...this.value };
  }

  async set(patch: Partial<UiSettings>): Promise<UiSettings> {
    this.value = { ...this.value, ...pickUiSettings(patch) };
    await mkdir(dirname(this.path), { recursive: true });
    await writeFileAtomic(this.path, JSON.stringify(this.value, null, 2));
    return this.get();
  }
}
