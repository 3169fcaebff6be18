import Store from 'electron-store';
import type { UiSettings } from '../../shared/api-contract';
import { DEFAULT_SETTINGS, type SettingsStore } from '../engine/app/settings-store';

/** The UI settings in electron-store (a JSON file in the app's userData). */
export class ElectronSettings implements SettingsStore {
  private readonly store = new Store<UiSettings>({ name: 'ui-settings', defaults: DEFAULT_SETTINGS });

  get(): UiSettings {
    return { ...DEFAULT_SETTINGS, ...this.store.store };
  }

  async set(patch: Partial<UiSettings>): Promise<UiSettings> {
    for (const [k, v] of Object.entries(patch)) if (typeof v === 'boolean') this.store.set(k as keyof UiSettings, v);
    return this.get();
  }
}
