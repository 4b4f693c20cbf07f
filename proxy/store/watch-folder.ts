/**
 * Change notification for a snapshot folder: fs.watch on the folder, calls/ and scenarios/ only.
 * Three directory watches, whatever the number of files; a recursive scan of a 10,000-file folder
 * would cost seconds at start-up.
 */
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { LINK_DIR } from '../../shared/mock-link.js';
import { CALLS_DIR, SCENARIOS_DIR } from './snapshot-store.js';

export interface FolderWatch {
  close(): void;
}

/** Calls `onFile(rel)` for every change under the folder, calls/ and scenarios/, as it happens. */
export function watchFiles(dir: string, onFile: (rel: string) => void): FolderWatch {
  const watchers = new Map<string, FSWatcher>();
  let closed = false;
  const arm = (sub: string) => {
    if (watchers.has(sub) || closed) return;
    try {
      const w = watch(path.join(dir, sub), (_event, name) => {
        if (!name || closed) return;
        const file = name.toString();
        // The running mock's announce folder: writing it must never look like a snapshot change.
        if (sub === '' && (file === LINK_DIR || file.startsWith(`${LINK_DIR}/`))) return;
        if (sub === '' && (file === CALLS_DIR || file === SCENARIOS_DIR)) arm(file);
        onFile(sub ? `${sub}/${file}` : file);
      });
      // A watch error (the folder removed under us) must not take the process down.
      w.on('error', () => {
        w.close();
        watchers.delete(sub);
      });
      watchers.set(sub, w);
    } catch {
      // The sub-folder does not exist yet; the root watch arms it when it appears.
    }
  };
  arm('');
  arm(CALLS_DIR);
  arm(SCENARIOS_DIR);
  return {
    close() {
      closed = true;
      for (const w of watchers.values()) w.close();
      watchers.clear();
    },
  };
}

/** Calls `onChange(rels)` with the changed JSON files, after `debounceMs` of quiet. */
export function watchFolder(
  dir: string,
  onChange: (rels: string[]) => void,
  debounceMs = 100,
): FolderWatch {
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  const flush = () => {
    timer = null;
    const rels = [...pending];
    pending = new Set();
    if (rels.length && !closed) onChange(rels);
  };
  const files = watchFiles(dir, (rel) => {
    if (!rel.endsWith('.json')) return; // temp files of atomic writes end otherwise
    pending.add(rel);
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, debounceMs);
  });
  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      files.close();
    },
  };
}
