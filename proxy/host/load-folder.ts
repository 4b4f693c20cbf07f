/** Opening a folder: the snapshot as the UI sees it, with files that point outside it refused. */
import { readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { SnapshotInfo } from '../../shared/desktop-api.js';
import type { LoadError } from '../../shared/schema.js';
import { CALLS_DIR, MANIFEST_FILE, SCENARIOS_DIR } from '../store/snapshot-store.js';
import { loadSummaries } from '../store/summaries.js';
import { isInside } from './confine.js';

export const OUTSIDE_REASON = 'is a symlink to a place outside the snapshot folder; not read';

/** Symlinked entries of a folder, from one readdir: no stat per file, even for 100,000 calls. */
async function linksIn(dir: string, prefix: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isSymbolicLink()).map((e) => prefix + e.name);
  } catch {
    return [];
  }
}

/**
 * Relative paths of the snapshot's files that are symlinks leading out of `root`. The store reads
 * through symlinks, and a parse error quotes the start of the file, so these must not reach the UI.
 */
export async function linksLeadingOut(root: string): Promise<Set<string>> {
  const candidates = [
    ...(await linksIn(root, '')).filter(
      (n) => n === MANIFEST_FILE || n === CALLS_DIR || n === SCENARIOS_DIR,
    ),
    ...(await linksIn(path.join(root, CALLS_DIR), `${CALLS_DIR}/`)),
    ...(await linksIn(path.join(root, SCENARIOS_DIR), `${SCENARIOS_DIR}/`)),
  ];
  const out = new Set<string>();
  await Promise.all(
    candidates.map(async (rel) => {
      try {
        if (!isInside(root, await realpath(path.join(root, rel)))) out.add(rel);
      } catch {
        // Dangling: the store reports it as unreadable.
      }
    }),
  );
  return out;
}

function under(rel: string, outside: Set<string>): string | undefined {
  for (const o of outside) if (rel === o || rel.startsWith(o + '/')) return o;
  return undefined;
}

/** `root` is a real path. */
export async function loadFolder(root: string): Promise<SnapshotInfo> {
  const outside = await linksLeadingOut(root);
  const snapshot = await loadSummaries(root);
  const errors: LoadError[] = snapshot.errors.filter((e) => under(e.file, outside) === undefined);
  for (const o of [...outside].sort()) errors.push({ file: o, reason: OUTSIDE_REASON });
  return {
    dir: root,
    name: path.basename(root),
    manifest: outside.has(MANIFEST_FILE) ? null : snapshot.manifest,
    calls: snapshot.calls.filter((c) => under(c.file, outside) === undefined),
    errors,
    scenarios: Object.keys(snapshot.scenarios)
      .filter((n) => under(`${SCENARIOS_DIR}/${n}.json`, outside) === undefined)
      .sort(),
  };
}
