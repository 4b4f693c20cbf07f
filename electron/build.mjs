// Bundles the Electron main process and the preload into dist/electron/ (`npm run build:electron`).
// The preload runs sandboxed, where require() knows only `electron`: it is bundled whole, for the
// browser platform, so any Node import fails the build instead of the window.
import { rm } from 'node:fs/promises';
import { URL, fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist/electron`;

await rm(out, { recursive: true, force: true });
await Promise.all([
  build({
    absWorkingDir: root,
    entryPoints: ['electron/main.ts'],
    outfile: `${out}/main.js`,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    // Dependencies load from node_modules at run time, as they do for the CLI.
    packages: 'external',
    external: ['electron'],
    sourcemap: true,
    logLevel: 'warning',
  }),
  // Opening a large folder reads it on worker threads; the main bundle starts this file beside it.
  build({
    absWorkingDir: root,
    entryPoints: ['proxy/store/summary-worker.ts'],
    outfile: `${out}/summary-worker.js`,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  }),
  // A body search reads every call file on worker threads too.
  build({
    absWorkingDir: root,
    entryPoints: ['proxy/host/body-search-worker.ts'],
    outfile: `${out}/body-search-worker.js`,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  }),
  build({
    absWorkingDir: root,
    entryPoints: ['electron/preload.ts'],
    outfile: `${out}/preload.cjs`,
    bundle: true,
    platform: 'browser',
    format: 'cjs',
    target: 'chrome140',
    external: ['electron'],
    sourcemap: 'inline',
    logLevel: 'warning',
  }),
]);
