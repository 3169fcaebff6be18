/**
 * The status window, with every security setting Electron offers set
 * explicitly rather than left to defaults (see Electron's security
 * checklist): no Node in the renderer, context isolation, the sandbox, a
 * CSP, and no navigation, new windows or permissions.
 */
import { BrowserWindow, session, type WebContents } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CSP } from '../../shared/csp';

export interface WindowPaths {
  rendererDir: string;
  preload: string;
}

/** The one page the renderer may be: the built index.html. */
export function rendererUrl(paths: WindowPaths): string {
  return pathToFileURL(join(paths.rendererDir, 'index.html')).href;
}

export function isOwnPage(url: string, paths: WindowPaths): boolean {
  return url.split('#')[0]?.split('?')[0] === rendererUrl(paths);
}

export function createMainWindow(paths: WindowPaths, page?: string): BrowserWindow {
  const win = new BrowserWindow({
    width: 1000,
    height: 720,
    minWidth: 800,
    minHeight: 600,
    show: false,
    title: 'Burrow',
    autoHideMenuBar: true,
    webPreferences: {
      preload: paths.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: false,
      navigateOnDragDrop: false,
      // Middle-click must not open links in new windows.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(`${rendererUrl(paths)}${page ? `#${page}` : ''}`);
  return win;
}

/** Applies the policies that hold for every web contents the app ever creates. */
export function lockDown(contents: WebContents, paths: WindowPaths): void {
  // The UI links nowhere outside itself: every new window is refused.
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event, url) => {
    if (!isOwnPage(url, paths)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

export function lockDownSession(): void {
  const s = session.defaultSession;
  s.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  s.setPermissionCheckHandler(() => false);
  s.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
}
