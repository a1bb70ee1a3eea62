import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { API_CHANNELS, EVENT_SUBSCRIPTIONS, type ClawbarApi } from './api.ts';

/**
 * Exposes `window.clawbar`: named functions only. ipcRenderer itself never
 * crosses the bridge, and listeners get the payload without the
 * IpcRendererEvent (whose `sender` would hand the page the raw IPC object).
 * Main validates every request, so nothing here is trusted.
 */
const api: Record<string, unknown> = {};
for (const [name, channel] of Object.entries(API_CHANNELS)) {
  api[name] = (request: unknown = {}) => ipcRenderer.invoke(channel, request);
}
for (const [name, channel] of Object.entries(EVENT_SUBSCRIPTIONS)) {
  api[name] = (listener: (payload: unknown) => void) => {
    const forward = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, forward);
    return () => { ipcRenderer.removeListener(channel, forward); };
  };
}

contextBridge.exposeInMainWorld('clawbar', api as ClawbarApi);
