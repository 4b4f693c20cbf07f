/** The window's size and position, kept across runs in the config dir. */
import path from 'node:path';
import { screen, type BrowserWindow, type Rectangle } from 'electron';
import { readJsonState, writeJsonState } from '../proxy/host/json-file.js';

export interface WindowState {
  bounds: Partial<Rectangle> & { width: number; height: number };
  maximized: boolean;
}

const FILE = 'electron-window.json';
const DEFAULT: WindowState = { bounds: { width: 1280, height: 820 }, maximized: false };

function isRect(v: unknown): v is Rectangle {
  const r = v as Record<string, unknown> | null;
  return !!r && ['x', 'y', 'width', 'height'].every((k) => Number.isFinite(r[k]));
}

/** A saved position on a monitor that is gone would open the window off screen. */
function visible(r: Rectangle): boolean {
  return screen
    .getAllDisplays()
    .some(
      ({ workArea: a }) =>
        r.x < a.x + a.width && r.x + r.width > a.x && r.y < a.y + a.height && r.y + r.height > a.y,
    );
}

export async function loadWindowState(configDir: string): Promise<WindowState> {
  const raw = (await readJsonState(path.join(configDir, FILE))) as
    { bounds?: unknown; maximized?: unknown } | undefined;
  if (!isRect(raw?.bounds) || raw.bounds.width < 400 || raw.bounds.height < 300) return DEFAULT;
  const bounds = visible(raw.bounds)
    ? raw.bounds
    : { width: raw.bounds.width, height: raw.bounds.height };
  return { bounds, maximized: raw.maximized === true };
}

export function trackWindowState(win: BrowserWindow, configDir: string): void {
  win.on('close', () => {
    const state: WindowState = { bounds: win.getNormalBounds(), maximized: win.isMaximized() };
    void writeJsonState(path.join(configDir, FILE), state).catch(() => undefined);
  });
}
