/**
 * The browser mode's folder picker: the sub-folders of any readable folder except the insides of
 * system trees (folder-rule.ts), each marked when it is a snapshot folder that `openFolder`
 * accepts. The browser shows only names; what may be opened is decided by the same rule as
 * `openFolder`, so typing a path and browsing to it cannot differ.
 */
import { constants as fsConstants, type Dirent } from 'node:fs';
import { access, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { DirEntry, DirListing } from '../../shared/desktop-api.js';
import { absolutePathProblem } from './confine.js';
import {
  hasSnapshotLayout,
  inSystemTree,
  systemFolderProblem,
  type Places,
} from './folder-rule.js';
import { HostError } from './host-error.js';

/** A snapshot folder that openFolder opens: the layout, and not a system folder. */
export async function isSnapshotDir(dir: string, places: Places): Promise<boolean> {
  return systemFolderProblem(dir, places) === null && (await hasSnapshotLayout(dir));
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

async function entryOf(dir: string, d: Dirent, places: Places): Promise<DirEntry | null> {
  const full = path.join(dir, d.name);
  let real = full;
  if (d.isSymbolicLink()) {
    try {
      real = await realpath(full);
    } catch {
      return null;
    }
    if (!(await isDir(real))) return null;
  } else if (!d.isDirectory()) {
    return null;
  }
  if (inSystemTree(real, places)) return null;
  return { name: d.name, path: full, isSnapshot: await isSnapshotDir(real, places) };
}

async function writable(dir: string): Promise<boolean> {
  try {
    await access(dir, fsConstants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export async function listDir(
  requested: string | null | undefined,
  start: string,
  places: Places,
): Promise<DirListing> {
  const wanted = requested ?? start;
  if (typeof wanted !== 'string') throw new HostError('bad_request', 'the path must be a string');
  const problem = absolutePathProblem(wanted);
  if (problem) throw new HostError('path_outside', `refused ${JSON.stringify(wanted)}: ${problem}`);
  let real: string;
  try {
    real = await realpath(path.resolve(wanted));
  } catch {
    throw new HostError('not_found', `${wanted} does not exist`);
  }
  if (inSystemTree(real, places))
    throw new HostError('path_outside', `refused ${JSON.stringify(wanted)}: it is a system folder`);
  if (!(await isDir(real))) throw new HostError('bad_request', `${wanted} is not a folder`);

  let dirents: Dirent[];
  try {
    dirents = await readdir(real, { withFileTypes: true });
  } catch (e) {
    throw new HostError('bad_request', `cannot read ${wanted}: ${(e as Error).message}`);
  }
  const entries = (await Promise.all(dirents.map((d) => entryOf(real, d, places))))
    .filter((e): e is DirEntry => e !== null)
    .sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }));
  const parent = path.dirname(real);
  return {
    path: real,
    parent: parent === real ? null : parent,
    entries,
    isSnapshot: await isSnapshotDir(real, places),
    canCreateIn: await writable(real),
  };
}
