/**
 * Path confinement: every path the UI sends is relative to the opened folder and must stay inside
 * its real path. Checked twice: lexically (what the string says, also after %-decoding, because
 * some layer on the way may decode it) and on disk (where symlinks really lead).
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { HostError } from './host-error.js';

const MAX_DECODE_ROUNDS = 3;

/** The string as given and every distinct form %-decoding turns it into. */
function decodedForms(raw: string): string[] {
  const forms = [raw];
  let current = raw;
  for (let i = 0; i < MAX_DECODE_ROUNDS && current.includes('%'); i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      break;
    }
    if (next === current) break;
    forms.push(next);
    current = next;
  }
  return forms;
}

function lexicalProblem(form: string): string | null {
  if (form.includes('\0')) return 'contains a NUL byte';
  const slashed = form.replace(/\\/g, '/');
  if (slashed.startsWith('/') || /^[a-zA-Z]:/.test(slashed))
    return 'is absolute; give a path relative to the opened folder';
  if (slashed.split('/').includes('..')) return 'uses ".." to leave the opened folder';
  return null;
}

/** Why a relative path is refused before touching the disk, or null when it is acceptable. */
export function relativePathProblem(rel: string): string | null {
  for (const form of decodedForms(rel)) {
    const problem = lexicalProblem(form);
    if (problem) return form === rel ? problem : `${problem} (once %-decoded)`;
  }
  return null;
}

/** Why an absolute path is refused before touching the disk, or null when it is acceptable. */
export function absolutePathProblem(abs: string): string | null {
  for (const form of decodedForms(abs)) {
    if (form.includes('\0')) return 'contains a NUL byte';
    if (!path.isAbsolute(form) && form === abs) return 'is not an absolute path';
    if (form.replace(/\\/g, '/').split('/').includes('..'))
      return form === abs ? 'uses ".."' : 'uses ".." once %-decoded';
  }
  return null;
}

/** True when `abs` is `root` or below it; `/snap2` is not below `/snap`. */
export function isInside(root: string, abs: string): boolean {
  if (abs === root) return true;
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  return abs.startsWith(prefix);
}

export interface Confined {
  /** Absolute path, symlinks resolved when the file exists. */
  abs: string;
  /** Relative to the folder, forward slashes. */
  rel: string;
  exists: boolean;
}

function outside(rel: string, why: string): HostError {
  return new HostError('path_outside', `refused ${JSON.stringify(rel)}: ${why}`);
}

/** The real path of `abs`, or of its nearest existing ancestor when it does not exist yet. */
async function realOfNearest(abs: string): Promise<{ real: string; exists: boolean }> {
  let probe = abs;
  for (;;) {
    try {
      const real = await realpath(probe);
      return {
        real: probe === abs ? real : path.join(real, path.relative(probe, abs)),
        exists: probe === abs,
      };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
      const parent = path.dirname(probe);
      if (parent === probe) throw e;
      probe = parent;
    }
  }
}

/**
 * Resolves `rel` inside `root` (a real path). Throws `path_outside` for any escape, `not_found`
 * when the file is missing and `allowMissing` is not set.
 */
export async function resolveInside(
  root: string,
  rel: string,
  opts: { allowMissing?: boolean } = {},
): Promise<Confined> {
  if (typeof rel !== 'string' || rel === '')
    throw new HostError('bad_request', 'a path relative to the opened folder is required');
  const problem = relativePathProblem(rel);
  if (problem) throw outside(rel, problem);
  const abs = path.resolve(root, rel.replace(/\\/g, '/'));
  if (!isInside(root, abs)) throw outside(rel, 'resolves outside the opened folder');
  const { real, exists } = await realOfNearest(abs);
  if (!isInside(root, real))
    throw outside(rel, 'is (or passes through) a symlink to a place outside the opened folder');
  if (!exists && !opts.allowMissing)
    throw new HostError('not_found', `${JSON.stringify(rel)} does not exist in the opened folder`);
  return { abs: real, rel: path.relative(root, abs).split(path.sep).join('/'), exists };
}
