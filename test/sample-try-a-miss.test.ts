/**
 * The sample ships a way to see a miss before recording anything: `try-a-miss.mjs`, copied with
 * the sample, sends a recorded request with one word changed to a real mock of the copy.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { sampleCopy } from '../proxy/host/sample.js';
import { startMockServer, type MockEvent, type RunningMock } from '../proxy/mock-server.js';
import { loadSnapshot } from '../proxy/store/snapshot-store.js';

const bundled = fileURLToPath(new URL('../samples/demo', import.meta.url));

let config: string | null = null;
let mock: RunningMock | null = null;

afterEach(async () => {
  await mock?.close();
  mock = null;
  if (config) await rm(config, { recursive: true, force: true });
  config = null;
});

function run(script: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: 'pipe' });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => resolve({ code, out }));
  });
}

describe('samples/demo/try-a-miss.mjs', () => {
  it('is copied with the sample, is no bad file, and produces an explained miss', async () => {
    config = await mkdtemp(path.join(tmpdir(), 'tapedeck-sample-miss-'));
    const copy = await sampleCopy(bundled, config);
    const script = path.join(copy, 'try-a-miss.mjs');
    expect(existsSync(script)).toBe(true);
    expect((await loadSnapshot(copy)).errors).toEqual([]);

    mock = await startMockServer({ dir: copy, port: 0, watch: false, log: () => {} });
    expect(mock.loadErrors).toEqual([]);
    const events: MockEvent[] = [];
    mock.events.subscribe((e) => void events.push(e));
    // The address as the running mock announces it beside the snapshot.
    await mkdir(path.join(copy, '.tapedeck'), { recursive: true });
    await writeFile(
      path.join(copy, '.tapedeck', 'mock.json'),
      JSON.stringify({ url: mock.url, token: 'not-needed-for-traffic' }),
    );

    const { code, out } = await run(script, []);
    expect(out).toMatch(/"What is the weather in Paris\?" → "What is the weather in Lyon\?"/);
    expect(out).toMatch(/→ 404 \(closest call c_/);
    expect(out).toMatch(
      /recorded "What is the weather in Paris\?" ≠ request "What is the weather in Lyon\?"/,
    );
    expect(code).toBe(0);
    expect(events.map((e) => e.outcome)).toEqual(['miss']);
    expect(mock.unmatched).toBe(1);
  });

  it('takes --url when no mock announced itself', async () => {
    config = await mkdtemp(path.join(tmpdir(), 'tapedeck-sample-miss-'));
    const copy = await sampleCopy(bundled, config);
    mock = await startMockServer({ dir: copy, port: 0, watch: false, log: () => {} });
    const { code, out } = await run(path.join(copy, 'try-a-miss.mjs'), ['--url', mock.url]);
    expect(out).toMatch(/→ 404/);
    expect(code).toBe(0);
    expect(mock.unmatched).toBe(1);
  });
});
