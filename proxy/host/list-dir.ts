/**
 * The browser mode's folder picker: sub-folders of a folder, confined to the browse roots (the
 * user's home by default), so a page that got hold of the API still cannot map the whole disk.
 */
import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { DirEntry, DirListing } from '../../shared/desktop-api.js';
import { CALLS_DIR, MANIFEST_FILE } from '../store/snapshot-store.js';
import { absolutePathProblem, isInside } from './confine.js';
import { HostError } from './host-error.js';

async function exists(p: string, want: 'file' | 'dir'): Promise<boolean> {
  try {
    const s = await stat(p);
    return want === 'dir' ? s.isDirectory() : s.isFile();
  } catch {
    return false;
  }
}

export async function isSnapshotDir(dir: string): Promise<boolean> {
  return (
    (await exists(path.join(dir, MANIFEST_FILE), 'file')) ||
    (await exists(path.join(dir, CALLS_DIR), 'dir'))
  );
}

async function realRoots(roots: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const r of roots) {
    try {
      out.push(await realpath(r));
    } catch {
      // A root that does not exist offers nothing to browse.
    }
  }
  return out;
}

/** The outermost root holding `real`, so "up" goes as far as browsing allows. */
function rootOf(roots: readonly string[], real: string): string | undefined {
  return roots.filter((r) => isInside(r, real)).sort((a, b) => a.length - b.length)[0];
}

async function entryOf(dir: string, d: Dirent, roots: readonly string[]): Promise<DirEntry | null> {
  const full = path.join(dir, d.name);
  if (d.isSymbolicLink()) {
    try {
      const real = await realpath(full);
      if (!rootOf(roots, real) || !(await exists(real, 'dir'))) return null;
    } catch {
      return null;
    }
  } else if (!d.isDirectory()) {
    return null;
  }
  return { name: d.name, path: full, isSnapshot: await isSnapshotDir(full) };
}

export async function listDir(
  requested: string | null | undefined,
  roots: readonly string[],
): Promise<DirListing> {
  const allowed = await realRoots(roots);
  const first = allowed[0];
  if (!first) throw new HostError('not_found', 'there is no folder to browse');
  const wanted = requested ?? first;
  if (typeof wanted !== 'string') throw new HostError('bad_request', 'the path must be a string');
  const problem = absolutePathProblem(wanted);
  if (problem) throw new HostError('path_outside', `refused ${JSON.stringify(wanted)}: ${problem}`);
  const lexical = path.resolve(wanted);
  let real: string;
  try {
    real = await realpath(lexical);
  } catch {
    throw new HostError('not_found', `${wanted} does not exist`);
  }
  const root = rootOf(allowed, real);
  if (!root)
    throw new HostError(
      'path_outside',
      `refused ${JSON.stringify(wanted)}: browsing is limited to ${allowed.join(', ')}`,
    );
  if (!(await exists(real, 'dir'))) throw new HostError('bad_request', `${wanted} is not a folder`);

  const dirents = await readdir(real, { withFileTypes: true });
  const entries = (await Promise.all(dirents.map((d) => entryOf(real, d, allowed))))
    .filter((e): e is DirEntry => e !== null)
    .sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }));
  return { path: real, parent: real === root ? null : path.dirname(real), entries };
}
