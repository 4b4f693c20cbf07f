/**
 * Opening a folder for the UI: every call file read, validated and reduced to its table row,
 * spread over worker threads. Only rows cross between threads, never whole calls, so 100,000
 * calls open in a fraction of the single-threaded time and memory.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Prices } from '../../shared/providers/cost.js';
import type { LoadError } from '../../shared/schema.js';
import { summarizeCall, type CallSummary } from '../../shared/totals.js';
import { countUsageOnce } from '../../shared/usage-once.js';
import {
  assembleCalls,
  assertSnapshotDir,
  callFiles,
  loadCallFileSync,
  loadSideFiles,
  type Snapshot,
} from './snapshot-store.js';

export interface SliceRequest {
  dir: string;
  files: string[];
  /** The manifest's price overrides: rows are priced as they are read. */
  prices: Prices | undefined;
}

export interface SliceResult {
  rows: CallSummary[];
  errors: LoadError[];
}

export function summarizeSlice(
  dir: string,
  files: readonly string[],
  prices: Prices | undefined,
): SliceResult {
  const rows: CallSummary[] = [];
  const errors: LoadError[] = [];
  for (const rel of files) {
    const r = loadCallFileSync(dir, rel);
    if (r.error) errors.push(r.error);
    if (r.call) rows.push(summarizeCall(r.call.call, r.call.file, prices));
  }
  return { rows, errors };
}

export interface SnapshotSummary {
  manifest: Snapshot['manifest'];
  scenarios: Snapshot['scenarios'];
  calls: CallSummary[];
  errors: LoadError[];
}

/** Below this many files a worker costs more to start than it saves. */
const MIN_FILES_PER_WORKER = 2000;

const workerUrl = new URL('./summary-worker.js', import.meta.url);

function inWorker(req: SliceRequest): Promise<SliceResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(workerUrl, { workerData: req });
    w.once('message', (m: SliceResult) => resolve(m));
    w.once('error', reject);
    w.once('exit', (code) => {
      if (code !== 0) reject(new Error(`summary worker exited with code ${code}`));
    });
  });
}

export async function loadSummaries(dir: string): Promise<SnapshotSummary> {
  await assertSnapshotDir(dir);
  const side = await loadSideFiles(dir);
  const files = await callFiles(dir);
  const prices = side.manifest?.prices;
  // Workers run the compiled .js beside this module (dist/, or the Electron bundle); from the
  // TypeScript sources (tests), or if it is missing, the work stays in-process.
  const canFork = import.meta.url.endsWith('.js') && existsSync(workerUrl);
  const n = canFork
    ? Math.min(availableParallelism(), Math.floor(files.length / MIN_FILES_PER_WORKER))
    : 0;
  let slices: SliceResult[];
  if (n < 2) slices = [summarizeSlice(dir, files, prices)];
  else {
    const size = Math.ceil(files.length / n);
    slices = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        inWorker({ dir, files: files.slice(i * size, (i + 1) * size), prices }),
      ),
    );
  }
  const { calls, errors } = assembleCalls(
    slices.flatMap((s) => s.rows),
    { id: (r) => r.id, seq: (r) => r.seq, file: (r) => r.file },
    slices.flatMap((s) => s.errors),
    side.errors,
  );
  return {
    manifest: side.manifest,
    scenarios: side.scenarios,
    calls: countUsageOnce(calls) as CallSummary[],
    errors,
  };
}
