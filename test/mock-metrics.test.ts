/**
 * `GET /metrics` in the Prometheus text format, read back by a Prometheus text-format parser from
 * npm: requests by upstream and outcome, faults by kind, the latency histogram, open connections
 * and the cost the hits avoided, for traffic from the real `openai` SDK; a reset starts them over.
 */
import { rm } from 'node:fs/promises';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer } from '../proxy/mock-server.js';
import { chat, openai, recordSnapshot, snapshotWith } from './support/fault-sdk.js';

let golden: Awaited<ReturnType<typeof recordSnapshot>>;
beforeAll(async () => {
  golden = await recordSnapshot();
}, 60_000);
afterAll(() => rm(golden.dir, { recursive: true, force: true }));

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function scrape(url: string) {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  const text = await res.text();
  // The parser throws on any line that is not valid text exposition.
  const families = parsePrometheusTextFormat(text);
  const family = (name: string) => {
    const f = families.find((x) => x.name === name);
    if (!f) throw new Error(`no metric ${name}`);
    return f;
  };
  const value = (name: string, labels: Record<string, string>) =>
    Number(
      family(name).metrics.find((m) =>
        Object.entries(labels).every(([k, v]) => m.labels?.[k] === v),
      )?.value ?? 0,
    );
  return { text, families, family, value };
}

describe('GET /metrics', () => {
  it('counts requests, faults, latency, connections and the cost avoided', async () => {
    const dir = await snapshotWith(golden, {
      calls: { chat: [{ kind: 'serverError', status: 500, when: { requests: '2' } }] },
    });
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const mock = await startMockServer({
      dir,
      port: 0,
      watch: false,
      timing: { mode: 'instant' },
      log: () => undefined,
    });
    cleanups.push(() => mock.close());
    const client = openai(`${mock.url}/openai`);
    await chat(client);
    await expect(chat(client)).rejects.toMatchObject({ status: 500 });
    await chat(client);
    await expect(
      client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'never recorded' }],
      }),
    ).rejects.toMatchObject({ status: 404 });

    const m = await scrape(`${mock.url}/metrics`);
    expect(m.family('tapedeck_requests_total').type).toBe('COUNTER');
    expect(m.value('tapedeck_requests_total', { upstream: 'openai', outcome: 'hit' })).toBe(3);
    expect(m.value('tapedeck_requests_total', { upstream: 'openai', outcome: 'miss' })).toBe(1);
    expect(m.value('tapedeck_faults_total', { upstream: 'openai', kind: 'serverError' })).toBe(1);
    expect(m.family('tapedeck_request_duration_seconds').type).toBe('HISTOGRAM');
    // The parser folds a labelled histogram's series into one, so its per-label count is read
    // from the sample line itself.
    expect(m.text).toMatch(
      /^tapedeck_request_duration_seconds_count\{upstream="openai",outcome="hit"\} 3$/m,
    );
    expect(m.text).toMatch(
      /^tapedeck_request_duration_seconds_bucket\{le="\+Inf",upstream="openai",outcome="hit"\} 3$/m,
    );
    expect(m.family('tapedeck_open_connections').type).toBe('GAUGE');
    expect(m.value('tapedeck_open_connections', {})).toBeGreaterThanOrEqual(1);
    // Two hits replayed the recording; the 500 in place of the second avoided nothing.
    const stats = (await (await fetch(`${mock.url}/__tapedeck/stats`)).json()) as {
      costAvoidedUsd: number;
    };
    const avoided = m.value('tapedeck_cost_avoided_usd_total', { upstream: 'openai' });
    expect(avoided).toBeGreaterThan(0);
    expect(avoided).toBeCloseTo(stats.costAvoidedUsd, 6);

    // The same under the control prefix.
    const again = await scrape(`${mock.url}/__tapedeck/metrics`);
    expect(again.value('tapedeck_requests_total', { upstream: 'openai', outcome: 'hit' })).toBe(3);

    expect((await fetch(`${mock.url}/__tapedeck/reset`, { method: 'POST' })).status).toBe(200);
    const reset = await scrape(`${mock.url}/metrics`);
    expect(reset.value('tapedeck_requests_total', { upstream: 'openai', outcome: 'hit' })).toBe(0);
  });
});
