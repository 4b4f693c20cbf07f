/**
 * Searching the request and response text of every call in the opened folder. The host's event
 * loop also serves the UI and the mock link, so the reading and extracting runs on worker threads
 * (from the compiled build) or, from the TypeScript sources, in small slices between which other
 * requests run. The lowercased text of each file is kept up to a memory cap, so a second search
 * reads only what changed; the host's change events drop a file's text.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BodySearchResult } from '../../shared/desktop-api.js';
import { callFiles } from '../store/snapshot-store.js';
import {
  searchSlice,
  textBytes,
  type SearchedFile,
  type SearchSliceRequest,
} from './body-search-slice.js';
import { HostError } from './host-error.js';
import { linksLeadingOut } from './load-folder.js';

/** Default memory for cached text: about 64 MB. */
export const DEFAULT_SEARCH_CACHE_BYTES = 64 * 1024 * 1024;
/** Below this many files a worker costs more to start than it saves. */
const MIN_FILES_PER_WORKER = 2000;
/** Files read between two turns of the event loop when the work stays in this thread. */
const FILES_PER_SLICE = 25;
/** Cached texts searched between two turns of the event loop. */
const CACHED_PER_SLICE = 1000;

const workerUrl = new URL('./body-search-worker.js', import.meta.url);

interface Cached {
  id: string;
  seq: number;
  text: string;
}

function inWorker(req: SearchSliceRequest): Promise<SearchedFile[]> {
  return new Promise((resolve, reject) => {
    const w = new Worker(workerUrl, { workerData: req });
    w.once('message', (m: SearchedFile[]) => resolve(m));
    w.once('error', reject);
    w.once('exit', (code) => {
      if (code !== 0) reject(new Error(`search worker exited with code ${code}`));
    });
  });
}

async function inSlices(
  req: SearchSliceRequest,
  onRead: (n: number) => void,
): Promise<SearchedFile[]> {
  const out: SearchedFile[] = [];
  let keepBytes = req.keepBytes;
  for (let i = 0; i < req.files.length; i += FILES_PER_SLICE) {
    const files = req.files.slice(i, i + FILES_PER_SLICE);
    const part = searchSlice({ ...req, files, keepBytes });
    onRead(files.length);
    for (const f of part) if (f.text !== undefined) keepBytes -= textBytes(f.text);
    out.push(...part);
    await new Promise((r) => setImmediate(r));
  }
  return out;
}

export interface BodySearchOptions {
  cacheBytes?: number;
  /** false: stay in this thread even where workers could run. */
  workers?: boolean;
}

export class BodySearch {
  private root: string | null = null;
  private readonly cache = new Map<string, Cached>();
  private cachedBytes = 0;
  /** Bumped by every invalidation; a file's text read before its last change is not cached. */
  private epoch = 0;
  private readonly changedAt = new Map<string, number>();
  /** The epoch of the last reset: text read by a search that started before it is not kept. */
  private resetEpoch = 0;
  private readonly cacheBytes: number;
  private readonly workers: boolean;

  constructor(options: BodySearchOptions = {}) {
    this.cacheBytes = options.cacheBytes ?? DEFAULT_SEARCH_CACHE_BYTES;
    this.workers = options.workers ?? true;
  }

  /** Call files read since this search was made: for tests and diagnostics. */
  filesRead = 0;

  /** Files whose text is cached now (for tests and diagnostics). */
  get cachedFiles(): number {
    return this.cache.size;
  }

  /** A call file changed, appeared or went away. */
  invalidate(rel: string): void {
    this.epoch++;
    this.changedAt.set(rel, this.epoch);
    const old = this.cache.get(rel);
    if (old) {
      this.cachedBytes -= textBytes(old.text);
      this.cache.delete(rel);
    }
  }

  /** Another folder (or none) is open: nothing cached applies any more. */
  reset(root: string | null): void {
    this.root = root;
    this.cache.clear();
    this.cachedBytes = 0;
    this.changedAt.clear();
    this.resetEpoch = ++this.epoch;
  }

  async search(root: string, query: unknown): Promise<BodySearchResult> {
    if (typeof query !== 'string' || query.trim() === '')
      throw new HostError('bad_request', 'give the text to search for');
    if (root !== this.root) this.reset(root);
    const started = performance.now();
    const startEpoch = this.epoch;
    const needle = query.toLowerCase();
    const outside = await linksLeadingOut(root);
    const files = (await callFiles(root)).filter((f) => !outside.has(f));

    const found = new Map<string, { id: string; seq: number; matched: boolean }>();
    const toRead: string[] = [];
    for (let i = 0; i < files.length; i++) {
      const file = files[i] as string;
      const hit = this.cache.get(file);
      if (hit) found.set(file, { id: hit.id, seq: hit.seq, matched: hit.text.includes(needle) });
      else toRead.push(file);
      // Even the cached text of 100,000 calls is scanned in turns with the host's other work.
      if (i % CACHED_PER_SLICE === CACHED_PER_SLICE - 1) await new Promise((r) => setImmediate(r));
    }

    const keepBytes = Math.max(0, this.cacheBytes - this.cachedBytes);
    for (const f of await this.read({ dir: root, files: toRead, needle, keepBytes })) {
      found.set(f.file, f);
      if (f.text !== undefined) this.keep(root, f, startEpoch);
    }

    // The loaders' rule: the first file of an id (in name order) is the call, later ones are errors.
    const ids = new Set<string>();
    const matches: { file: string; seq: number }[] = [];
    let searched = 0;
    for (const file of files) {
      const f = found.get(file);
      if (!f || ids.has(f.id)) continue;
      ids.add(f.id);
      searched++;
      if (f.matched) matches.push({ file, seq: f.seq });
    }
    matches.sort((a, b) => a.seq - b.seq || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    return {
      query,
      files: matches.map((m) => m.file),
      searched,
      total: files.length,
      ms: Math.round(performance.now() - started),
    };
  }

  private keep(root: string, f: SearchedFile, startEpoch: number): void {
    const text = f.text as string;
    const cost = textBytes(text);
    // Read before a change event for it (or before another folder opened): stale, not kept.
    if (root !== this.root || startEpoch < this.resetEpoch) return;
    if ((this.changedAt.get(f.file) ?? 0) > startEpoch) return;
    if (this.cache.has(f.file) || this.cachedBytes + cost > this.cacheBytes) return;
    this.cache.set(f.file, { id: f.id, seq: f.seq, text });
    this.cachedBytes += cost;
  }

  private async read(req: SearchSliceRequest): Promise<SearchedFile[]> {
    // Workers run the compiled .js beside this module (dist/, or the Electron bundle); from the
    // TypeScript sources (tests), or if it is missing, the work runs here in slices.
    const canFork = this.workers && import.meta.url.endsWith('.js') && existsSync(workerUrl);
    const n = canFork
      ? Math.min(availableParallelism(), Math.floor(req.files.length / MIN_FILES_PER_WORKER))
      : 0;
    const onRead = (k: number) => {
      this.filesRead += k;
    };
    if (n < 1) return inSlices(req, onRead);
    const size = Math.ceil(req.files.length / n);
    const parts = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        inWorker({
          ...req,
          files: req.files.slice(i * size, (i + 1) * size),
          keepBytes: Math.floor(req.keepBytes / n),
        }).then((part) => {
          onRead(Math.min(size, Math.max(0, req.files.length - i * size)));
          return part;
        }),
      ),
    );
    return parts.flat();
  }
}
