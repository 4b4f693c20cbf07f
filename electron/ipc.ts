/**
 * The IPC side of the DesktopApi: one channel, every call checked to come from the app's own
 * page in the main frame of our window, then handed to the same dispatcher the HTTP server uses.
 */
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import type { DesktopHost } from '../proxy/host/desktop-host.js';
import { rpcErrorOf } from '../proxy/host/host-error.js';
import { dispatch } from '../proxy/host/rpc.js';
import { APP_HOST, APP_SCHEME, CHANNELS, type RpcReply } from './channels.js';

export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

function trusted(event: IpcMainInvokeEvent, win: BrowserWindow): boolean {
  const frame = event.senderFrame;
  return (
    !win.isDestroyed() &&
    event.sender === win.webContents &&
    frame !== null &&
    frame === event.sender.mainFrame &&
    isAppUrl(frame.url)
  );
}

export function registerIpc(
  host: DesktopHost,
  win: () => BrowserWindow | null,
  afterCall: (method: string) => void,
): void {
  ipcMain.handle(CHANNELS.rpc, async (event, method: unknown, args: unknown): Promise<RpcReply> => {
    const w = win();
    if (!w || !trusted(event, w))
      return {
        ok: false,
        error: {
          message: 'refused: the call did not come from the Tapedeck window',
          code: 'bad_request',
        },
      };
    try {
      const result = await dispatch(host, String(method), args);
      afterCall(String(method));
      return { ok: true, result };
    } catch (e) {
      return { ok: false, error: rpcErrorOf(e) };
    }
  });
}

export function forwardChanges(host: DesktopHost, win: () => BrowserWindow | null): () => void {
  return host.onChange((event) => {
    const w = win();
    if (w && !w.isDestroyed()) w.webContents.send(CHANNELS.change, event);
  });
}

export function forwardMockEvents(host: DesktopHost, win: () => BrowserWindow | null): () => void {
  return host.onMock((event) => {
    const w = win();
    if (w && !w.isDestroyed()) w.webContents.send(CHANNELS.mock, event);
  });
}
