/**
 * The bridge the renderer gets: one object of named methods, typed from the
 * contract, and a subscription that returns its own unsubscribe. The raw
 * ipcRenderer never crosses into the page.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { AppEvent, BurrowBridge } from '../../shared/api-contract';
import { EVENT_CHANNEL, REQUEST_NAMES, ipcChannel } from '../../shared/api-names';

type Reply = { ok: true; result: unknown } | { ok: false; error: { message: string } };

const methods = Object.fromEntries(
  REQUEST_NAMES.map((name) => [
    name,
    async (args: unknown) => {
      const reply = (await ipcRenderer.invoke(ipcChannel(name), args ?? {})) as Reply;
      if (!reply.ok) throw new Error(reply.error.message);
      return reply.result;
    },
  ]),
);

const bridge = {
  ...methods,
  onEvent(listener: (event: AppEvent) => void): () => void {
    const wrapped = (_e: IpcRendererEvent, event: AppEvent) => listener(event);
    ipcRenderer.on(EVENT_CHANNEL, wrapped);
    return () => ipcRenderer.off(EVENT_CHANNEL, wrapped);
  },
} as BurrowBridge;

contextBridge.exposeInMainWorld('burrow', bridge);
