/**
 * The built renderer as both transports serve it: which file a URL path names, its content type,
 * and the Content-Security-Policy the HTML runs under.
 */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { isInside } from './confine.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentTypeOf(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Monaco needs: its workers (module workers from 'self'; blob: when a bundler inlines one), inline
 * styles (it sets style attributes and injects <style>), and its codicon font (a file or data:).
 * `connect` adds the WebSocket origin, which 'self' does not cover in every browser.
 */
export function contentSecurityPolicy(connect: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "worker-src 'self' blob:",
    `connect-src ${["'self'", ...connect].join(' ')}`,
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export const INDEX_HTML = 'index.html';

export type Asset =
  { file: string; immutable: boolean } | { missing: 'not_built' | 'not_found' | 'bad_path' };

/**
 * The file for a URL path (already %-decoded by the caller's URL parser or not; both are checked).
 * Paths without an extension are the single-page app's routes and get index.html.
 */
export async function resolveAsset(root: string, urlPath: string): Promise<Asset> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return { missing: 'bad_path' };
  }
  if (decoded.includes('\0') || decoded.replace(/\\/g, '/').split('/').includes('..'))
    return { missing: 'bad_path' };
  let realRoot: string;
  try {
    realRoot = await realpath(root);
    await stat(path.join(realRoot, INDEX_HTML));
  } catch {
    return { missing: 'not_built' };
  }
  const rel = decoded.replace(/^\/+/, '');
  const wanted = rel === '' || path.extname(rel) === '' ? INDEX_HTML : rel;
  const abs = path.resolve(realRoot, wanted);
  if (!isInside(realRoot, abs)) return { missing: 'bad_path' };
  try {
    const real = await realpath(abs);
    if (!isInside(realRoot, real) || !(await stat(real)).isFile()) return { missing: 'not_found' };
    return { file: real, immutable: wanted.startsWith('assets/') };
  } catch {
    return { missing: 'not_found' };
  }
}

/** Shown instead of the app when `npm run build:renderer` has not run. */
export function notBuiltPage(dir: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tapedeck: UI not built</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:4em auto;padding:0 1em}
code{background:rgba(127,127,127,.15);padding:.1em .3em;border-radius:3px}
@media (prefers-color-scheme:dark){body{background:#1e1e1e;color:#ddd}}</style></head>
<body><h1>The Tapedeck UI is not built</h1>
<p>There is no <code>index.html</code> in <code>${escapeHtml(dir)}</code>.</p>
<p>Run <code>npm run build:renderer</code> (or <code>npm install</code>, which builds everything) in the
Tapedeck folder, then reload this page.</p></body></html>
`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
