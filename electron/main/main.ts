/**
 * The Electron shell: a single instance living in the tray, a status window
 * opened on demand, notifications, and the IPC wiring. All logic is in the
 * engine (AppService) and in shared/; this file only connects them.
 */
// First: the tunnel relay's V8 heap flag, before the engine fills the heap.
import './heap-first';
import { app, BrowserWindow, powerMonitor } from 'electron';
import { join } from 'node:path';
import type { AppEvent, AppState } from '../../shared/api-contract';
import type { TrayAction } from '../../shared/tray-state';
import { AppService } from '../engine/app/app-service';
import { DemoSession } from '../engine/app/demo-session';
import { defaultConfigPath, stateDir } from '../engine/paths';
import { ElectronSettings } from './electron-settings';
import { registerIpc } from './ipc';
import { electronDesktopChannel } from './desktop-channel';
import { electronLaptopSource } from './laptop-source';
import { safeStoragePassphrases } from './safe-storage-passphrases';
import { BurrowTray } from './tray';
import { createMainWindow, lockDown, lockDownSession, type WindowPaths } from './window';

// The bundle lives in dist/electron/; the renderer in dist/renderer/; icons in build/.
const ROOT = join(__dirname, '..', '..');
const paths: WindowPaths = { rendererDir: join(ROOT, 'dist', 'renderer'), preload: join(__dirname, 'preload.cjs') };
const BUILD_DIR = app.isPackaged ? process.resourcesPath : join(ROOT, 'build');

let window: BrowserWindow | undefined;
let quitting = false;

function openWindow(page?: string): void {
  if (window && !window.isDestroyed()) {
    if (page) void window.webContents.executeJavaScript(`location.hash = ${JSON.stringify(page)}`);
    window.show();
    window.focus();
    return;
  }
  window = createMainWindow(paths, page);
  // Closing the window hides Burrow in the tray; Quit in the menu ends it.
  window.on('close', (e) => {
    if (!quitting) {
      e.preventDefault();
      window?.hide();
    }
  });
}

async function start(): Promise<void> {
  lockDownSession();
  app.on('web-contents-created', (_e, contents) => lockDown(contents, paths));
  const settings = new ElectronSettings();
  let svc: AppService | undefined;
  const demo = new DemoSession(() => svc!);
  // Bound below, once the tray's actions exist: a notice's Run now and click go through them.
  let act: (a: TrayAction) => void = () => {};
  const service = await AppService.open({
    configPath: process.env.BURROW_CONFIG ?? defaultConfigPath(),
    stateDir: stateDir(),
    settings,
    shell: 'electron',
    startDemo: () => demo.start(),
    // Key passphrases encrypted by the system keyring; without one (Linux basic_text) the UI says so and asks.
    passphraseMemory: safeStoragePassphrases({ openKeys: () => openWindow('keys') }),
    // The engine's notifier decides; this channel shows what it decided, as Electron notifications.
    desktop: electronDesktopChannel(() => settings.get(), {
      runNow: (job) => act({ kind: 'run-now', job }),
      openRun: (id) => openWindow(id ? `history/${id}` : 'history'),
    }),
    laptop: electronLaptopSource(powerMonitor),
  });
  svc = service;
  registerIpc(service, paths, () => (window && !window.isDestroyed() ? [window] : []));

  act = (a: TrayAction): void => {
    const h = service.handlers;
    switch (a.kind) {
      case 'run-now':
        void h.runNow({ job: a.job });
        break;
      case 'cancel':
        void h.cancelRun({ job: a.job });
        break;
      case 'pause':
      case 'resume':
        void h.setPaused({ paused: a.kind === 'pause' });
        break;
      case 'open':
        openWindow();
        break;
      case 'check':
        openWindow('check');
        break;
      case 'settings':
      case 'setup':
        openWindow(a.kind === 'setup' ? 'welcome' : 'settings');
        break;
      case 'start-at-login':
        app.setLoginItemSettings({ openAtLogin: a.on });
        void h.setSettings({ startAtLogin: a.on });
        break;
      case 'quit':
        quitting = true;
        app.quit();
        break;
    }
  };

  const tray = new BurrowTray(BUILD_DIR, act);
  tray.update(service.state());
  service.on('event', (e: AppEvent) => {
    if (e.type === 'state') tray.update(e.state as AppState);
    // Live events fold into the last state; the jobs are not asked for again.
    else if (e.type === 'tunnel' || e.type === 'step' || e.type === 'progress') tray.update(service.cachedState());
  });

  // A run in flight checks its connections at once; missed slots are looked for.
  powerMonitor.on('resume', () => void service.engine?.resumed());
  // Plugged in: a backup deferred for the battery catches up now rather than at the next tick.
  powerMonitor.on('on-ac', () => void service.engine?.scheduler.runDueCatchUps());
  // Quit waits for runs in flight to be cancelled and torn down.
  let shutDown = false;
  app.on('before-quit', (e) => {
    quitting = true;
    if (shutDown) return;
    e.preventDefault();
    void service
      .shutdown()
      .then(() => demo.stop())
      .finally(() => {
        shutDown = true;
        tray.destroy();
        app.exit(0);
      });
  });
  if (!service.state().configured) openWindow('welcome');
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => openWindow());
  // A tray app: closing every window must not end it.
  app.on('window-all-closed', () => {});
  void app.whenReady().then(start);
}
