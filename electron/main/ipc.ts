/**
 * IPC: one handler per request of the contract. Each checks who is asking
 * (our window, on our page) and hands the payload to the same dispatcher
 * `burrow serve` uses, which validates it against the contract's schema.
 */
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { EVENT_CHANNEL, REQUEST_NAMES, ipcChannel, type AppEvent } from '../../shared/api-contract';
import type { AppService } from '../engine/app/app-service';
import { dispatch } from '../engine/app/dispatch';
import { isOwnPage, type WindowPaths } from './window';

export function registerIpc(service: AppService, paths: WindowPaths, windows: () => BrowserWindow[]): void {
  const trusted = (event: IpcMainInvokeEvent) => {
    const frame = event.senderFrame;
    return frame !== null && frame === event.sender.mainFrame && isOwnPage(frame.url, paths) && windows().some((w) => w.webContents.id === event.sender.id);
  };
  for (const name of REQUEST_NAMES) {
    ipcMain.handle(ipcChannel(name), async (event, args: unknown) => {
      if (!trusted(event)) return { ok: false, error: { kind: 'bad-request', message: 'request from an unknown sender was refused' } };
      return dispatch(service.handlers, name, args, (err) =>
        console.error(`burrow: ${name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
      );
    });
  }
  service.on('event', (e: AppEvent) => {
    for (const w of windows()) if (!w.isDestroyed()) w.webContents.send(EVENT_CHANNEL, e);
  });
}
