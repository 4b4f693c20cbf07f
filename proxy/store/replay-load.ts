/**
 * Opening a folder for the mock: every call file read and validated, as `loadSnapshot` does, but
 * only what matching needs stays in memory (id, seq, signature, faults). The rest of a call is
 * read again from its file when it is first replayed, so 100,000 calls fit in a fraction of the
 * memory; the reading and validating is spread over worker threads, as for the desktop's table.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { jsonEquals } from '../../shared/matching/canonical.js';
import { recordedRequestModel } from '../../shared/matching/rules.js';
import type { Call, LoadError, Signature } from '../../shared/schema.js';
import {
  assembleCalls,
  assertSnapshotDir,
  callFiles,
  loadCallFileSync,
  loadSideFiles,
  type LoadedCall,
  type Snapshot,
} from './snapshot-store.js';

/** What the mock keeps of a call file between replays. */
export interface ReplayRecord {
  id: string;
  seq: number;
  file: string;
  signature: Signature;
  faults: Call['faults'];
  /** The model the recorded request names, for manifest rules scoped by model. */
  model: string | null;
}

export interface ReplaySliceRequest {
  dir: string;
  files: string[];
}

export interface ReplaySlice {
  records: ReplayRecord[];
  errors: LoadError[];
}

export function replaySlice(dir: string, files: readonly string[]): ReplaySlice {
  const records: ReplayRecord[] = [];
  const errors: LoadError[] = [];
  for (const rel of files) {
    const r = loadCallFileSync(dir, rel);
    if (r.error) errors.push(r.error);
    if (r.call) {
      const { id, seq, signature, faults, request } = r.call.call;
      const model = recordedRequestModel(request);
      records.push({ id, seq, file: r.call.file, signature, faults, model });
    }
  }
  return { records, errors };
}

/**
 * A loaded call whose full content is read from its file on first use. The file is validated
 * again then; if it no longer holds the call that was matched (edited since the load, and the
 * reload that follows every edit has not run yet), the request fails rather than answer with a
 * call other than the one the signature chose.
 */
export class ReplayCall implements LoadedCall {
  private full: Call | null = null;

  constructor(
    private readonly dir: string,
    readonly record: ReplayRecord,
  ) {}

  get file(): string {
    return this.record.file;
  }

  get call(): Call {
    if (this.full) return this.full;
    const r = loadCallFileSync(this.dir, this.record.file);
    const call = r.call?.call;
    if (!call || call.id !== this.record.id || !jsonEquals(call.signature, this.record.signature)) {
      throw new Error(
        `${this.record.file} changed since it was loaded (${r.error?.reason ?? 'another call now'}); the reload will pick it up`,
      );
    }
    this.full = call;
    return call;
  }
}

/**
 * Each worker loads its own copy of the schema code and its records are copied across, so they
 * only pay for large folders: measured on 2 shared cores, 10,000 calls started faster without
 * (3.0 s against 5.0 s), 100,000 with two (16 s against 20 s, for 30 MB more).
 */
const MIN_FILES_PER_WORKER = 20_000;

const workerUrl = new URL('./replay-worker.js', import.meta.url);

function inWorker(req: ReplaySliceRequest): Promise<ReplaySlice> {
  return new Promise((resolve, reject) => {
    const w = new Worker(workerUrl, { workerData: req });
    w.once('message', (m: ReplaySlice) => resolve(m));
    w.once('error', reject);
    w.once('exit', (code) => {
      if (code !== 0) reject(new Error(`replay loader worker exited with code ${code}`));
    });
  });
}

/** `loadSnapshot` for the mock: the same calls, errors, manifest and scenarios, in the same order. */
export async function loadReplaySnapshot(dir: string): Promise<Snapshot> {
  await assertSnapshotDir(dir);
  const side = await loadSideFiles(dir);
  const files = await callFiles(dir);
  // Workers run the compiled .js beside this module; from the TypeScript sources (tests), or if
  // it is missing, the work stays in-process.
  const canFork = import.meta.url.endsWith('.js') && existsSync(workerUrl);
  const n = canFork
    ? Math.min(availableParallelism(), Math.floor(files.length / MIN_FILES_PER_WORKER))
    : 0;
  let slices: ReplaySlice[];
  if (n < 2) slices = [replaySlice(dir, files)];
  else {
    const size = Math.ceil(files.length / n);
    slices = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        inWorker({ dir, files: files.slice(i * size, (i + 1) * size) }),
      ),
    );
  }
  const { calls, errors } = assembleCalls(
    slices.flatMap((s) => s.records),
    { id: (r) => r.id, seq: (r) => r.seq, file: (r) => r.file },
    slices.flatMap((s) => s.errors),
    side.errors,
  );
  return {
    dir,
    manifest: side.manifest,
    calls: calls.map((r) => new ReplayCall(dir, r)),
    scenarios: side.scenarios,
    errors,
  };
}
