/**
 * The sandboxed preload: exposes exactly one object, `window.api`, implementing DesktopApi over
 * IPC. The renderer never gets ipcRenderer or an IPC event (whose `sender` is ipcRenderer).
 * Bundled whole by build.mjs: a sandboxed preload can require nothing but `electron`.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type {
  ChangeEvent,
  DesktopApi,
  FixRequest,
  MockLinkEvent,
  RpcMethod,
} from '../shared/desktop-api.js';
import { CHANNELS, type RpcReply } from './channels.js';

async function call<T>(method: RpcMethod, ...args: unknown[]): Promise<T> {
  const reply = (await ipcRenderer.invoke(CHANNELS.rpc, method, args)) as RpcReply;
  if (reply.ok) return reply.result as T;
  // contextBridge copies an Error's message only; custom properties such as `code` are dropped.
  throw new Error(reply.error.message);
}

function subscribe<T>(channel: string, listener: (value: T) => void): () => void {
  const handler = (_event: Electron.IpcRendererEvent, value: T) => listener(value);
  ipcRenderer.on(channel, handler);
  return () => {
    ipcRenderer.off(channel, handler);
  };
}

const api = {
  appInfo: () => call('appInfo'),
  recentFolders: () => call('recentFolders'),
  sampleFolder: () => call('sampleFolder'),
  pickFolder: () => call('pickFolder'),
  listDir: (path?: string) => call('listDir', path ?? null),
  openFolder: (path: string) => call('openFolder', path),
  createFolder: (path: string) => call('createFolder', path),
  readFile: (path: string) => call('readFile', path),
  saveFile: (path: string, text: string, baseHash: string | null) =>
    call('saveFile', path, text, baseHash),
  schemas: () => call('schemas'),
  mockStatus: () => call('mockStatus'),
  mockMisses: () => call('mockMisses'),
  resetMock: () => call('resetMock'),
  previewFix: (fix: FixRequest) => call('previewFix', fix),
  recordMiss: (key: string) => call('recordMiss', key),
  resendCall: (path: string) => call('resendCall', path),
  searchBodies: (query: string) => call('searchBodies', query),
  openReport: (path: string) => call('openReport', path),
  listRuns: () => call('listRuns'),
  openRun: (id: string) => call('openRun', id),
  onMock: (listener: (event: MockLinkEvent) => void) => subscribe(CHANNELS.mock, listener),
  onChange: (listener: (event: ChangeEvent) => void) => subscribe(CHANNELS.change, listener),
  onMenu: (listener: (command: 'open-folder') => void) => subscribe(CHANNELS.menu, listener),
  pathForFile: (file: unknown) => webUtils.getPathForFile(file as File),
} satisfies DesktopApi;

contextBridge.exposeInMainWorld('api', api);
