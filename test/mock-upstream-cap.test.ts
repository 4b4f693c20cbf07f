/**
 * A client sending ever new upstream names (`/NAME/…`) does not grow the mock's per-upstream
 * tables without end: the stats, the samples and the metrics keep the first 256 names apart and
 * count the rest as `(other)`; every request is still counted.
 */
import path from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type RunningMock } from '../proxy/mock-server.js';
import { MAX_UPSTREAM_NAMES, OTHER_UPSTREAM } from '../proxy/mock/upstream-names.js';
import { MockSamples } from '../shared/schema.js';

const SENT = MAX_UPSTREAM_NAMES + 44;
let mock: RunningMock;

beforeAll(async () => {
  mock = await startMockServer({
    dir: path.resolve('examples/three-vendors'),
    port: 0,
    watch: false,
    announce: false,
    timing: { mode: 'instant' },
    log: () => undefined,
  });
  for (let i = 0; i < SENT; i += 20)
    await Promise.all(
      Array.from({ length: Math.min(20, SENT - i) }, (_, k) =>
        fetch(`${mock.url}/name-${i + k}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"model":"x","messages":[]}',
        }).then((r) => r.arrayBuffer()),
      ),
    );
}, 60_000);
afterAll(() => mock.close());

describe('ever new upstream names', () => {
  it('keep 256 rows in the stats, the rest as (other), every request counted', async () => {
    const stats = (await (await fetch(`${mock.url}/__tapedeck/stats`)).json()) as {
      upstreams: Record<string, { requests: number }>;
    };
    const names = Object.keys(stats.upstreams);
    expect(names).toHaveLength(MAX_UPSTREAM_NAMES + 1);
    expect(stats.upstreams[OTHER_UPSTREAM]?.requests).toBe(SENT - MAX_UPSTREAM_NAMES);
    expect(Object.values(stats.upstreams).reduce((n, u) => n + u.requests, 0)).toBe(SENT);
  });

  it('keep as many in the samples', async () => {
    const s = MockSamples.parse(await (await fetch(`${mock.url}/__tapedeck/samples`)).json());
    const names = new Set(s.seconds.flatMap((x) => Object.keys(x.upstreams)));
    expect(names.size).toBe(MAX_UPSTREAM_NAMES + 1);
    expect(names.has(OTHER_UPSTREAM)).toBe(true);
    const total = s.seconds.reduce(
      (n, x) => n + Object.values(x.upstreams).reduce((m, u) => m + u.requests, 0),
      0,
    );
    expect(total).toBe(SENT);
  });

  it('keep as many upstream labels in /metrics', async () => {
    const families = parsePrometheusTextFormat(await (await fetch(`${mock.url}/metrics`)).text());
    const requests = families.find((f) => f.name === 'tapedeck_requests_total');
    const labels = new Set(requests?.metrics.map((m) => m.labels?.upstream));
    expect(labels.size).toBe(MAX_UPSTREAM_NAMES + 1);
    expect(labels.has(OTHER_UPSTREAM)).toBe(true);
  });
});
