/**
 * Live changes in the opened folder as ChangeEvents: call files, the manifest and scenarios. Bursts
 * on one file (a temp file renamed into place, an editor's several writes) become one event, read
 * after the file settles; temp files of atomic writes never match the watched names.
 */
import type { ChangeEvent } from '../../shared/desktop-api.js';
import { LINK_DIR } from '../../shared/mock-link.js';
import { Call, Manifest, Scenario } from '../../shared/schema.js';
import { summarizeCall } from '../../shared/totals.js';
import { parseJsonFile } from '../store/parse-file.js';
import { readSnapshotFile } from '../store/read-file.js';
import { CALLS_DIR, MANIFEST_FILE, SCENARIOS_DIR } from '../store/snapshot-store.js';
import { watchFiles } from '../store/watch-folder.js';
import { resolveInside } from './confine.js';
import { currentManifest, kindOf, sha256 } from './files.js';
import { HostError } from './host-error.js';
import { OUTSIDE_REASON } from './load-folder.js';

export interface FolderWatch {
  /** Resolves once the watcher sees every existing file, so later changes cannot be missed. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/** A second look after a file's events settle, for a write that landed mid-read. */
const RECHECK_MS = 80;

const WATCHED_DIRS = new Set([CALLS_DIR, SCENARIOS_DIR]);
const WATCHED_FILE = new RegExp(
  `^(${MANIFEST_FILE.replace('.', '\\.')}|(${CALLS_DIR}|${SCENARIOS_DIR})/[^/]+\\.json)$`,
);

export function isWatched(rel: string): boolean {
  if (rel === LINK_DIR || rel.startsWith(`${LINK_DIR}/`)) return false;
  return rel === '' || WATCHED_DIRS.has(rel) || WATCHED_FILE.test(rel);
}

type Read = { bytes: Buffer } | { missing: true } | { error: string };

async function readConfined(root: string, rel: string): Promise<Read> {
  try {
    const target = await resolveInside(root, rel);
    // A FIFO or device dropped into the folder must become an error event, not a read that never ends.
    const read = await readSnapshotFile(target.abs);
    if (read.ok) return { bytes: read.bytes };
    return read.missing ? { missing: true } : { error: read.reason };
  } catch (e) {
    if (e instanceof HostError && e.code === 'not_found') return { missing: true };
    if (e instanceof HostError && e.code === 'path_outside') return { error: OUTSIDE_REASON };
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { missing: true };
    return { error: `cannot read: ${(e as Error).message}` };
  }
}

/** What `rel` is on disk now: the event that describes it, and a fingerprint of its state. */
export async function describe(
  root: string,
  rel: string,
): Promise<{ event: ChangeEvent; state: string }> {
  const read = await readConfined(root, rel);
  const state =
    'bytes' in read ? sha256(read.bytes) : 'missing' in read ? 'missing' : `error:${read.error}`;
  return { event: await eventOf(root, rel, read), state };
}

async function eventOf(root: string, rel: string, read: Read): Promise<ChangeEvent> {
  const kind = kindOf(rel);
  if ('error' in read)
    return { kind: 'error', path: rel, error: { file: rel, reason: read.error } };
  if ('missing' in read) {
    return kind === 'manifest'
      ? { kind: 'manifest', path: rel, manifest: null }
      : { kind: 'removed', path: rel };
  }
  const text = read.bytes.toString('utf8');
  if (kind === 'call') {
    const parsed = parseJsonFile(text, rel, Call);
    if (!parsed.ok) return { kind: 'error', path: rel, error: parsed.error };
    return {
      kind: 'call',
      path: rel,
      // Priced with the manifest as it is now, as opening the folder would.
      call: summarizeCall(parsed.value, rel, (await currentManifest(root))?.prices),
      hash: sha256(read.bytes),
    };
  }
  if (kind === 'manifest') {
    const parsed = parseJsonFile(text, rel, Manifest);
    if (!parsed.ok) return { kind: 'error', path: rel, error: parsed.error };
    return { kind: 'manifest', path: rel, manifest: parsed.value };
  }
  const parsed = parseJsonFile(text, rel, Scenario);
  if (!parsed.ok) return { kind: 'error', path: rel, error: parsed.error };
  return { kind: 'manifest', path: rel, manifest: await currentManifest(root) };
}

/** `root` is a real path. Events for one file arrive in order; a file's last event is its final state. */
export function watchFolder(
  root: string,
  emit: (event: ChangeEvent) => void,
  opts: { debounceMs?: number } = {},
): FolderWatch {
  const debounceMs = opts.debounceMs ?? 40;
  const timers = new Map<string, NodeJS.Timeout>();
  const rechecks = new Map<string, NodeJS.Timeout>();
  const chains = new Map<string, Promise<void>>();
  /** The state each file's last event described. */
  const reported = new Map<string, string>();
  let closed = false;

  const settle = (rel: string, recheck: boolean) => {
    (recheck ? rechecks : timers).delete(rel);
    const previous = chains.get(rel) ?? Promise.resolve();
    const next = previous.then(async () => {
      const { event, state } = await describe(root, rel);
      if (closed || (recheck && reported.get(rel) === state)) return;
      reported.set(rel, state);
      emit(event);
      // A write can land between our read and the end of its burst of events: look once more.
      if (!recheck) {
        clearTimeout(rechecks.get(rel));
        rechecks.set(
          rel,
          setTimeout(() => settle(rel, true), RECHECK_MS),
        );
      }
    });
    chains.set(rel, next);
    void next.finally(() => {
      if (chains.get(rel) === next) chains.delete(rel);
    });
  };

  // Directory watches, not one per file: a 100,000-call folder must not need 100,000 inotify watches.
  const watcher = watchFiles(root, (rel) => {
    // `.tapedeck/` is the mock link's (mock-link.ts watches it): never a ChangeEvent.
    if (!isWatched(rel) || !WATCHED_FILE.test(rel)) return;
    const pending = timers.get(rel);
    if (pending) clearTimeout(pending);
    timers.set(
      rel,
      setTimeout(() => settle(rel, false), debounceMs),
    );
  });

  const ready = Promise.resolve();
  return {
    ready,
    async close() {
      closed = true;
      for (const t of [...timers.values(), ...rechecks.values()]) clearTimeout(t);
      timers.clear();
      rechecks.clear();
      watcher.close();
    },
  };
}
