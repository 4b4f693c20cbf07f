/**
 * The demo snapshot the start page opens: it must load cleanly, show every provider, a stream, a
 * fault and a failure, and the script that makes it must still produce such a snapshot.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSnapshot, type Snapshot } from '../proxy/store/snapshot-store.js';
import { makeSample } from '../scripts/make-sample.js';

const committed = fileURLToPath(new URL('../samples/demo', import.meta.url));

function checkShowcase(snapshot: Snapshot): void {
  expect(snapshot.errors).toEqual([]);
  // The committed sample is tapedeck/1 on disk; it is read upgraded.
  expect(snapshot.manifest?.format).toBe('tapedeck/2');
  const calls = snapshot.calls.map((c) => c.call);
  const byUpstream = (u: string) => calls.filter((c) => c.upstream === u);
  expect(
    byUpstream('openai')
      .map((c) => c.api)
      .sort(),
  ).toEqual(['chat.completions', 'chat.completions', 'responses', 'responses']);
  expect(byUpstream('anthropic')).toHaveLength(2);
  expect(byUpstream('gemini')).toHaveLength(2);
  expect(byUpstream('xai')).toHaveLength(1);
  expect(byUpstream('openrouter')).toHaveLength(2);
  for (const c of calls) {
    expect(c.request.url, c.id).toMatch(/^https:\/\//);
    if (c.response.status < 400) {
      expect(c.usage?.source, c.id).toBe('provider');
      expect(c.costUsd, c.id).toBeGreaterThan(0);
    }
  }
  const streamed = calls.filter((c) => c.response.stream);
  expect(streamed.length).toBeGreaterThanOrEqual(3);
  for (const c of streamed) {
    const times = (c.response.stream ?? []).map((e) => e.at);
    expect(times.length).toBeGreaterThan(2);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times.at(-1)! - times[0]!).toBeGreaterThan(0);
  }
  expect(
    calls
      .flatMap((c) => c.faults ?? [])
      .map((f) => f.kind)
      .sort(),
  ).toEqual(['cutStream', 'latency', 'rateLimit']);
  expect(
    calls.find((c) => c.faults?.some((f) => f.kind === 'rateLimit'))?.faults?.[0],
  ).toMatchObject({
    after: 3,
  });
  const failed = calls.filter((c) => c.response.status >= 400);
  expect(failed.map((c) => [c.upstream, c.response.status])).toEqual([['openrouter', 429]]);
  expect(Object.keys(snapshot.scenarios)).toEqual(['flaky-anthropic']);
  expect(calls.map((c) => c.costSource)).toContain('provider');
}

describe('the demo snapshot', () => {
  it('the committed samples/demo loads without errors and shows every feature', async () => {
    checkShowcase(await loadSnapshot(committed));
  });

  const out = process.env['TAPEDECK_WRITE_SAMPLE'] === '1' ? committed : null;
  let temp: string | undefined;
  afterAll(async () => {
    if (temp) await rm(temp, { recursive: true, force: true });
  });

  it('scripts/make-sample.ts records the same set of calls through the real recorder', async () => {
    temp = await mkdtemp(path.join(tmpdir(), 'tapedeck-sample-'));
    const dir = out ?? temp;
    await makeSample(dir);
    checkShowcase(await loadSnapshot(dir));
    const names = async (d: string) => (await readdir(path.join(d, 'calls'))).sort();
    expect(await names(dir)).toEqual(await names(committed));
  });
});
