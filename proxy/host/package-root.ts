/**
 * The installed package's root folder, found from this module's location: the same code runs from
 * the sources (proxy/host/), from dist/proxy/host/ and bundled into dist/electron/.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string };
      if (pkg.name === 'tapedeck') return (cached = dir);
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('tapedeck: cannot find its package folder');
    dir = parent;
  }
}

/** Where `npm run build:renderer` puts the UI. */
export function rendererDir(): string {
  return path.join(packageRoot(), 'dist', 'renderer');
}

/** The demo snapshot shipped in the package (read-only: the UI opens a copy, see sample.ts). */
export function bundledSampleDir(): string {
  return path.join(packageRoot(), 'samples', 'demo');
}
