/**
 * A thin tray: icon, tooltip and menu come from the pure functions in
 * shared/tray-state and are rebuilt on every state change; a click only
 * turns into an action for main to carry out.
 */
import { Menu, Tray, nativeImage, type MenuItemConstructorOptions } from 'electron';
import { join } from 'node:path';
import type { AppState } from '../../shared/api-contract';
import { buildTrayMenu, trayIcon, trayTooltip, type TrayAction, type TrayIcon } from '../../shared/tray-state';

/** build/tray/<icon>.png with its @2x sibling; 22 px on Linux panels, 16 px elsewhere. */
export function trayImage(buildDir: string, icon: TrayIcon): Electron.NativeImage {
  const size = process.platform === 'linux' ? 22 : 16;
  return nativeImage.createFromPath(join(buildDir, 'tray', `${icon}-${size}.png`));
}

export class BurrowTray {
  private readonly tray: Tray;
  private icon?: TrayIcon;
  private menuKey?: string;

  constructor(
    private readonly buildDir: string,
    private readonly onAction: (action: TrayAction) => void,
  ) {
    this.tray = new Tray(trayImage(buildDir, 'setup'));
    this.tray.on('click', () => onAction({ kind: 'open' }));
  }

  update(state: AppState): void {
    const icon = trayIcon(state);
    if (icon !== this.icon) {
      this.tray.setImage(trayImage(this.buildDir, icon));
      this.icon = icon;
    }
    this.tray.setToolTip(trayTooltip(state, new Date()));
    const items = buildTrayMenu(state);
    // Progress events come several times a second: rebuild the native menu only when it changed.
    const key = JSON.stringify(items);
    if (key === this.menuKey) return;
    this.menuKey = key;
    const template: MenuItemConstructorOptions[] = items.map((item) => {
      if (item.type === 'separator') return { type: 'separator' };
      const opts: MenuItemConstructorOptions = { label: item.label, enabled: item.enabled !== false };
      if (item.type === 'checkbox') {
        opts.type = 'checkbox';
        opts.checked = item.checked === true;
      }
      const action = item.action;
      if (action) opts.click = () => this.onAction(action);
      return opts;
    });
    this.tray.setContextMenu(Menu.buildFromTemplate(template));
  }

  destroy(): void {
    this.tray.destroy();
  }
}
