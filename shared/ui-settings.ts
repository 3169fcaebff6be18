/**
 * The window's own settings (not the backup config): one schema for their
 * keys, types and defaults, which the contract, both settings stores and the
 * notification policy take their shape from. Browser-safe.
 */
import { z } from 'zod';

export const uiSettingsSchema = z
  .object({
    /** No pop-up notifications at all (events still show in the window and tray). */
    quiet: z.boolean(),
    notifySuccess: z.boolean(),
    startAtLogin: z.boolean(),
  })
  .strict();

export type UiSettings = z.output<typeof uiSettingsSchema>;

/** What setSettings accepts: any of the keys, nothing else. */
export const uiSettingsPatchSchema = uiSettingsSchema.partial().strict();

export const DEFAULT_UI_SETTINGS: UiSettings = { quiet: false, notifySuccess: false, startAtLogin: false };

/** The valid keys of whatever was stored (a hand-edited file, an older version), the rest dropped. */
export function pickUiSettings(stored: unknown): Partial<UiSettings> {
  if (typeof stored !== 'object' || stored === null) return {};
  const out: Partial<UiSettings> = {};
  for (const key of Object.keys(uiSettingsSchema.shape) as (keyof UiSettings)[]) {
    const v = (stored as Record<string, unknown>)[key];
    if (typeof v === 'boolean') out[key] = v;
  }
  return out;
}
