import Store from 'electron-store';
import { DEFAULT_UI_SETTINGS, pickUiSettings, type UiSettings } from '../../shared/ui-settings';
import type { SettingsStore } from '../engine/app/settings-store';

/** The UI settings in electron-store (a JSON file in the app's userData). */
export class ElectronSettings implements SettingsStore {
  private readonly store = new Store<UiSettings>({ name: 'ui-settings', defaults: DEFAULT_UI_SETTINGS });

  get(): UiSettings {
    return { ...DEFAULT_UI_SETTINGS, ...pickUiSettings(this.store.store) };
  }

  async set(patch: Partial<UiSettings>): Promise<UiSettings> {
    for (const [k, v] of Object.entries(pickUiSettings(patch))) this.store.set(k as keyof UiSettings, v);
    return this.get();
  }
}
