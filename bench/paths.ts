import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// This module runs from dist/bench/ after the build, so the repository root is two levels up.
const here = dirname(fileURLToPath(import.meta.url));

export const repoRoot = resolve(here, '..', '..');

/** Scratch space for generated snapshots, peer installs and configs (ignored by git). */
export const benchDir = join(repoRoot, '.bench');

export const cliPath = join(repoRoot, 'bin', 'tapedeck.js');

/** A compiled helper script that runs as its own process (see bench/servers/). */
export function serverScript(name: string): string {
  return join(here, 'servers', `${name}.js`);
}
