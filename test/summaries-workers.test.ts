/** The worker-thread path of opening a folder gives exactly what the single-thread path gives. */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSnapshot } from '../bench/snapshot-gen.js';
import { loadSummaries as loadInProcess } from '../proxy/store/summaries.js';

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
});
