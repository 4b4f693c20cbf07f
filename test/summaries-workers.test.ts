/** The worker-thread path of opening a folder gives exactly what the single-thread path gives. */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSnapshot } from '../bench/snapshot-gen.js';
import { Worker } from 'node:worker_threads';
import {
  loadSummaries as loadInProcess,
  summarizeSlice,
  type SliceResult,
} from '../proxy/store/summaries.js';

const built = fileURLToPath(new URL('../dist/proxy/store/summaries.js', import.meta.url));
let dir = '';

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('opening a large folder on worker threads', () => {
  it('matches the in-process result row for row, errors included', async () => {
    expect(existsSync(built), 'run `npm run build` first: the workers run the compiled code').toBe(
      true,
    );
    dir = await mkdtemp(path.join(os.tmpdir(), 'tapedeck-workers-'));
    // Enough files for two workers (2,000 each at least).
    await generateSnapshot(dir, 4600, { validate: false });
    await writeFile(path.join(dir, 'calls', '004601-broken.json'), '{\n  "id": ,\n}');
    const { loadSummaries: loadWithWorkers } = (await import(built)) as {
      loadSummaries: typeof loadInProcess;
    };
    const [a, b] = await Promise.all([loadWithWorkers(dir), loadInProcess(dir)]);
    expect(a.calls).toHaveLength(4600);
    expect(a.calls).toEqual(b.calls);
    expect(a.errors).toEqual(b.errors);
    expect(a.errors).toEqual([
      expect.objectContaining({ file: 'calls/004601-broken.json', line: 2 }),
    ]);
  }, 60_000);

  it('the Electron bundle ships the same worker beside its main process', async () => {
    const bundled = fileURLToPath(new URL('../dist/electron/summary-worker.js', import.meta.url));
    expect(existsSync(bundled), 'run `npm run build:electron` first').toBe(true);
    const files = ['calls/000001-broken.json'];
    const snap = await mkdtemp(path.join(os.tmpdir(), 'tapedeck-worker-'));
    try {
      await generateSnapshot(snap, 3, { validate: false });
      files.push(...(await readdir(path.join(snap, 'calls'))).map((n) => `calls/${n}`));
      // Rows are priced in the worker, so the manifest's overrides must reach it.
      const prices = { '*': { inputMtok: 1, outputMtok: 2 } };
      const viaWorker = await new Promise<SliceResult>((resolve, reject) => {
        const w = new Worker(bundled, { workerData: { dir: snap, files, prices } });
        w.once('message', resolve);
        w.once('error', reject);
      });
      expect(viaWorker).toEqual(summarizeSlice(snap, files, prices));
      expect(viaWorker.rows).toHaveLength(3);
      expect(viaWorker.errors).toEqual([
        expect.objectContaining({ file: 'calls/000001-broken.json' }),
      ]);
    } finally {
      await rm(snap, { recursive: true, force: true });
    }
  });
});
