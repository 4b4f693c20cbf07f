/**
 * The renderer's only way to the host: Electron's preload object when present, else the HTTP
 * transport of `tapedeck ui`.
 */
import type { DesktopApi } from '../../shared/desktop-api.js';
import { createHttpApi } from './http-api.js';

declare global {
  interface Window {
    api?: DesktopApi;
  }
}

export type { DesktopApi };

export const api: DesktopApi = window.api ?? createHttpApi();

/** After the host connection was lost and found again: changes may have been missed. */
export function onResync(listener: () => void): () => void {
  const maybe = api as Partial<{ onResync: (l: () => void) => () => void }>;
  return maybe.onResync ? maybe.onResync(listener) : () => undefined;
}
