/**
 * Which folders the desktop host may open, create or browse. Opening a folder hands every file
 * below it to the UI, so a folder is opened only if it is a snapshot folder (it has `tapedeck.json`
 * or `calls/`) or the user explicitly chose it (the native dialog, the command line, a recent
 * folder) or created it here; and never a system folder, whatever it contains. The folder browser
 * may show any readable folder except the insides of system trees, and marks what opens.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { CALLS_DIR, MANIFEST_FILE } from '../store/snapshot-store.js';

export interface Places {
  platform: NodeJS.Platform;
  /** Real path of the user's home folder. */
  home: string;
  /** Real path of the system's temp folder. */
  tmp: string;
}

/** Folders whose whole tree belongs to the system: nothing below them is opened or browsed. */
const POSIX_TREES = [
  '/etc',
  '/proc',
  '/sys',
  '/dev',
  '/boot',
  '/bin',
  '/sbin',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
  '/usr',
  '/System',
  '/private/etc',
];
/** Folders that hold everyone's things: they can be browsed through, not opened themselves. */
const POSIX_ROOTS = [
  '/',
  '/home',
  '/Users',
  '/root',
  '/tmp',
  '/var',
  '/var/tmp',
  '/opt',
  '/mnt',
  '/media',
  '/srv',
  '/run',
  '/Volumes',
  '/private',
  '/private/tmp',
  '/private/var',
  '/Library',
  '/Applications',
];
const WINDOWS_TREES = ['\\Windows'];
const WINDOWS_ROOTS = [
  '\\',
  '\\Users',
  '\\Program Files',
  '\\Program Files (x86)',
  '\\ProgramData',
];

function lib(p: Places): path.PlatformPath {
  return p.platform === 'win32' ? path.win32 : path.posix;
}

function same(p: Places, a: string, b: string): boolean {
  const l = lib(p);
  const na = l.normalize(a).replace(/[\\/]+$/, '') || l.sep;
  const nb = l.normalize(b).replace(/[\\/]+$/, '') || l.sep;
  // Windows and macOS file systems ignore case by default.
  return p.platform === 'linux' ? na === nb : na.toLowerCase() === nb.toLowerCase();
}

function under(p: Places, root: string, target: string): boolean {
  const rel = lib(p).relative(root, target);
  const fold = p.platform === 'linux' ? rel : rel.toLowerCase();
  return rel === '' || (!fold.startsWith('..') && !lib(p).isAbsolute(rel));
}

/** `C:\Windows`, `D:\Windows` …: the drive-relative lists apply to every drive. */
function onEveryDrive(target: string, list: readonly string[]): string[] {
  const drive = /^[a-zA-Z]:/.exec(target)?.[0];
  return drive ? list.map((p) => drive + p) : [];
}

/** Inside a system tree (or one itself): not opened, created in or browsed. */
export function inSystemTree(real: string, p: Places): boolean {
  const trees = p.platform === 'win32' ? onEveryDrive(real, WINDOWS_TREES) : POSIX_TREES;
  return trees.some((t) => under(p, t, real));
}

/** Why `real` may never be opened as a snapshot folder, or null. */
export function systemFolderProblem(real: string, p: Places): string | null {
  if (inSystemTree(real, p)) return 'is a system folder';
  if (p.platform === 'win32' && /^\\\\[^\\]+\\[^\\]+\\?$/.test(real))
    return 'is the root of a network share';
  const roots = p.platform === 'win32' ? onEveryDrive(real, WINDOWS_ROOTS) : POSIX_ROOTS;
  if (roots.some((r) => same(p, r, real))) return 'is a system folder shared by everything on it';
  if (same(p, p.home, real)) return 'is your home folder itself';
  if (same(p, p.tmp, real)) return 'is the system temp folder itself';
  return null;
}

async function exists(p: string, want: 'file' | 'dir'): Promise<boolean> {
  try {
    const s = await stat(p);
    return want === 'dir' ? s.isDirectory() : s.isFile();
  } catch {
    return false;
  }
}

/** Has a tapedeck.json or a calls/ folder. */
export async function hasSnapshotLayout(dir: string): Promise<boolean> {
  return (
    (await exists(path.join(dir, MANIFEST_FILE), 'file')) ||
    (await exists(path.join(dir, CALLS_DIR), 'dir'))
  );
}

export async function isEmptyDir(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch {
    return false;
  }
}
