/**
 * The bridge the renderer gets: one object of named methods, typed from the
 * contract (RawBridge), each resolving with the engine's reply envelope as
 * it is, and a subscription that returns its own unsubscribe. The page
 * turns error replies into thrown errors (bridgeFromRaw in shared/): the
 * envelope is read in one place. The raw ipcRenderer never crosses into the
 * page, and this sandboxed script loads no zod.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { AppEvent, RawBridge } from '../../shared/api-contract';
import { EVENT_CHANNEL, REQUEST_NAMES, ipcChannel } from '../../shared/api-names';

const methods = Object.fromEntries(REQUEST_NAMES.map((name) => [name, (args: unknown) => ipcRenderer.invoke(ipcChannel(name), args ?? {})]));

const bridge = {
  ...methods,
  onEvent(listener: (event: AppEvent) => void): () => void {
    const wrapped = (_e: IpcRendererEvent, event: AppEvent) => listener(event);
    ipcRenderer.on(EVENT_CHANNEL, wrapped);
    return () => ipcRenderer.off(EVENT_CHANNEL, wrapped);
  },
} as RawBridge;

contextBridge.exposeInMainWorld('burrow', bridge);
