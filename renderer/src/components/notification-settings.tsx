/**
 * The app's own settings (not the backup config): notifications and start at
 * login. Each switch applies at once; the state event that follows confirms it.
 */
import { useEffect, useState } from 'react';
import type { AppState, BurrowBridge, UiSettings } from '../../../shared/api-contract';
import { errorMessage } from '../lib/errors';

export interface NotificationSettingsProps {
  bridge: BurrowBridge;
  state: AppState;
}

const SWITCHES: { key: keyof UiSettings; testId: string; label: string; hint: string }[] = [
  { key: 'quiet', testId: 'setting-quiet', label: 'Quiet', hint: 'No pop-up notifications at all; the window and tray still show everything.' },
  { key: 'notifySuccess', testId: 'setting-notify-success', label: 'Notify on success', hint: 'Also tell me when a backup went well.' },
  { key: 'startAtLogin', testId: 'setting-start-at-login', label: 'Start at login', hint: 'Start Burrow in the tray when I log in, so scheduled backups run.' },
];

/** Three checkboxes: `setting-quiet`, `setting-notify-success`, `setting-start-at-login`. */
export function NotificationSettings({ bridge, state }: NotificationSettingsProps) {
  // What the person just chose (then what the engine answered), shown until the next state arrives.
  const [override, setOverride] = useState<Partial<UiSettings>>({});
  const [error, setError] = useState<string>();
  const shown: UiSettings = { ...state.settings, ...override };

  useEffect(() => setOverride({}), [state.settings]);

  async function change(key: keyof UiSettings, value: boolean) {
    setOverride((o) => ({ ...o, [key]: value }));
    setError(undefined);
    try {
      setOverride(await bridge.setSettings({ [key]: value }));
    } catch (err) {
      setError(errorMessage(err));
      setOverride((o) => {
        const next = { ...o };
        delete next[key];
        return next;
      });
    }
  }

  return (
    <fieldset className="card editor">
      <legend>Notifications and start-up</legend>
      {SWITCHES.map((s) => (
        <div className="check-field" key={s.key}>
          <label>
            <input type="checkbox" data-testid={s.testId} checked={shown[s.key]} onChange={(e) => void change(s.key, e.target.checked)} />
            {s.label}
          </label>
          <p className="hint">{s.hint}</p>
        </div>
      ))}
      {state.shell === 'web' ? <p className="hint">Start at login applies to the desktop app on this machine.</p> : null}
      {error ? <p className="field-error">{error}</p> : null}
    </fieldset>
  );
}
