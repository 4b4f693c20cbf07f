/**
 * The renderer's origin, `app://tapedeck/`: a privileged standard scheme served from
 * dist/renderer. Unlike file://, it gives the page a real origin (Monaco's workers need one) and
 * lets us set the CSP header on every response.
 */
import { readFile } from 'node:fs/promises';
import { protocol } from 'electron';
import {
  contentSecurityPolicy,
  contentTypeOf,
  notBuiltPage,
  resolveAsset,
} from '../proxy/host/renderer-assets.js';
import { APP_HOST, APP_SCHEME } from './channels.js';

export const CSP = contentSecurityPolicy();

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: {
        standard: true,
        secure: true,
        supportFetchAPI: true,
        corsEnabled: true,
        codeCache: true,
      },
    },
  ]);
}

function reply(body: string | Uint8Array, status: number, type: string): Response {
  return new Response(typeof body === 'string' ? body : new Uint8Array(body), {
    status,
    headers: {
      'content-type': type,
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    },
  });
}

export function serveApp(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST) return reply('not found\n', 404, 'text/plain; charset=utf-8');
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return reply('method not allowed\n', 405, 'text/plain; charset=utf-8');
    const asset = await resolveAsset(rendererDir, url.pathname);
    if ('missing' in asset) {
      if (asset.missing === 'not_built')
        return reply(notBuiltPage(rendererDir), 503, 'text/html; charset=utf-8');
      return reply(
        'not found\n',
        asset.missing === 'bad_path' ? 400 : 404,
        'text/plain; charset=utf-8',
      );
    }
    return reply(await readFile(asset.file), 200, contentTypeOf(asset.file));
  });
}
