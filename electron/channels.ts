/** IPC channel names and the preload's surface, shared by main, preload and the e2e spec. */
import { RPC_METHODS } from '../shared/desktop-api.js';

export const APP_SCHEME = 'app';
export const APP_HOST = 'tapedeck';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

export const CHANNELS = {
  /** invoke(method, args) → RpcReply */
  rpc: 'tapedeck:rpc',
  /** main → renderer: ChangeEvent */
  change: 'tapedeck:change',
  /** main → renderer: MockLinkEvent */
  mock: 'tapedeck:mock',
  /** main → renderer: menu command */
  menu: 'tapedeck:menu',
} as const;

export type RpcReply =
  { ok: true; result: unknown } | { ok: false; error: { message: string; code: string } };

/** Every key of `window.api`, and nothing else. */
export const PRELOAD_KEYS = [
  ...RPC_METHODS,
  'onChange',
  'onMock',
  'onMenu',
  'pathForFile',
] as const;
