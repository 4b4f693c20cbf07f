/** Serves the built renderer: files from dist/renderer, index.html for the app's routes. */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { contentTypeOf, notBuiltPage, resolveAsset } from '../host/renderer-assets.js';

export async function serveRenderer(
  req: IncomingMessage,
  res: ServerResponse,
  dir: string,
  pathname: string,
  csp: string,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
    res.end('method not allowed\n');
    return;
  }
  const asset = await resolveAsset(dir, pathname);
  if ('missing' in asset) {
    if (asset.missing === 'not_built') {
      const body = notBuiltPage(dir);
      res.writeHead(503, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': csp,
        'cache-control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    const status = asset.missing === 'bad_path' ? 400 : 404;
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(status === 400 ? 'bad path\n' : 'not found\n');
    return;
  }
  const bytes = await readFile(asset.file);
  const type = contentTypeOf(asset.file);
  const headers: Record<string, string | number> = {
    'content-type': type,
    'content-length': bytes.length,
    // Hashed file names never change content; everything else is checked on each load.
    'cache-control': asset.immutable ? 'private, max-age=31536000, immutable' : 'no-cache',
  };
  if (type.startsWith('text/html')) headers['content-security-policy'] = csp;
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : bytes);
}
