/**
 * The app icon in every place that needs it: the page's <link rel="icon">s, the favicon.ico a
 * browser asks for, and the PNG electron-builder turns into each platform's icon. (That `tapedeck
 * ui` serves them is checked in e2e/browser.e2e.test.ts; the Electron window's `icon` in
 * test/host-electron-shell.test.ts.)
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('..', import.meta.url));
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from a PNG's IHDR chunk, or null when the bytes are not a PNG. */
function pngSize(b: Buffer): { width: number; height: number } | null {
  if (!b.subarray(0, 8).equals(PNG_SIGNATURE) || b.toString('latin1', 12, 16) !== 'IHDR') {
    return null;
  }
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

describe('the app icon', () => {
  it('is a PNG of at least 512 × 512 for electron-builder', async () => {
    const config = parse(await readFile(path.join(root, 'electron-builder.yml'), 'utf8')) as {
      icon?: unknown;
    };
    expect(typeof config.icon).toBe('string');
    const size = pngSize(await readFile(path.join(root, String(config.icon))));
    expect(size).not.toBeNull();
    expect(size?.width).toBeGreaterThanOrEqual(512);
    expect(size?.height).toBe(size?.width);
  });

  it('is a favicon.ico holding 16, 32 and 48 px PNGs, linked by the page with the SVG', async () => {
    const ico = await readFile(path.join(root, 'renderer', 'public', 'favicon.ico'));
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]);
    const sizes: number[] = [];
    for (let i = 0; i < ico.readUInt16LE(4); i++) {
      const at = 6 + 16 * i;
      const png = ico.subarray(
        ico.readUInt32LE(at + 12),
        ico.readUInt32LE(at + 12) + ico.readUInt32LE(at + 8),
      );
      const size = pngSize(png);
      expect(size?.width).toBe(ico.readUInt8(at) || 256);
      sizes.push(size?.width ?? 0);
    }
    expect(sizes).toEqual([16, 32, 48]);

    const html = await readFile(path.join(root, 'renderer', 'index.html'), 'utf8');
    const links = [...html.matchAll(/<link rel="icon" href="\/([^"]+)"/g)].map((m) => m[1]);
    expect(links).toEqual(['favicon.ico', 'icon.svg']);
    const svg = await readFile(path.join(root, 'renderer', 'public', 'icon.svg'), 'utf8');
    expect(svg).toMatch(/^<svg [^>]*viewBox="0 0 64 64"/);
  });
});
