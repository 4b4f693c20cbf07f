/**
 * `GET /__tapedeck/samples`: the vendor side second by second, for traffic from the real `openai`
 * SDK. Requests held by a latency fault show as in flight and waiting (the vendor's queue) while
 * they wait; a stream stopped after its headers is in flight but no longer waiting; clients that
 * abort are give-ups; a malformed reply counts apart as parser-error risk; the counts add up to
 * the requests sent; `?since=` filters, a bad one is a 400; a reset forgets it all. Also the
 * in-flight and waiting gauges of /metrics.
 */
import { rm } from 'node:fs/promises';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type RunningMock } from '../proxy/mock-server.js';
import { MockSamples, type VendorSecond } from '../shared/schema.js';
import {
  chat,
  chatStream,
  drain,
  openai,
  recordSnapshot,
  snapshotWith,
} from './support/fault-sdk.js';

let golden: Awaited<ReturnType<typeof recordSnapshot>>;
beforeAll(async () => {
  golden = await recordSnapshot();
}, 60_000);
afterAll(() => rm(golden.dir, { recursive: true, force: true }));

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function mockWith(faults: Parameters<typeof snapshotWith>[1]): Promise<RunningMock> {
  const dir = await snapshotWith(golden, faults);
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const mock = await startMockServer({
    dir,
    port: 0,
    watch: false,
    announce: false,
    timing: { mode: 'instant' },
    log: () => undefined,
  });
  cleanups.push(() => mock.close());
  return mock;
}

async function samples(mock: RunningMock, query = ''): Promise<MockSamples> {
  const res = await fetch(`${mock.url}/__tapedeck/samples${query}`);
  expect(res.status).toBe(200);
  return MockSamples.parse(await res.json());
}

/** Every second's figures of one upstream. */
const of = (s: MockSamples, upstream: string): VendorSecond[] =>
  s.seconds.flatMap((x) => (x.upstreams[upstream] ? [x.upstreams[upstream]] : []));
const sum = (xs: VendorSecond[], k: 'requests' | 'giveUps' | 'errors' | 'malformed' | 'retries') =>
  xs.reduce((n, x) => n + x[k], 0);
const newest = (s: MockSamples, upstream: string) => s.seconds.at(-1)?.upstreams[upstream];

/** Reads the samples until `ok` holds: requests in flight are seen as they happen, not after a pause. */
async function until(mock: RunningMock, ok: (s: MockSamples) => boolean): Promise<MockSamples> {
  for (;;) {
    const s = await samples(mock);
    if (ok(s)) return s;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('GET /__tapedeck/samples', () => {
  it('counts each request in the second it ended, with its TTFB and total time', async () => {
    const mock = await mockWith({
      calls: { chat: [{ kind: 'serverError', status: 500, when: { requests: '4' } }] },
    });
    const client = openai(`${mock.url}/openai`);
    for (let i = 0; i < 3; i++) await chat(client);
    await expect(chat(client)).rejects.toMatchObject({ status: 500 });
    await chat(client);
    // Neither an unrouted request nor the control API is vendor traffic.
    await fetch(`${mock.url}/`);
    await fetch(`${mock.url}/__tapedeck/stats`);
    const s = await samples(mock);
    expect(s.format).toBe('tapedeck-samples/1');
    expect(s.intervalMs).toBe(1000);
    expect(Object.keys(s.seconds.at(-1)?.upstreams ?? {})).toEqual(['openai']);
    const openaiSeconds = of(s, 'openai');
    expect(sum(openaiSeconds, 'requests')).toBe(5);
    expect(sum(openaiSeconds, 'errors')).toBe(1);
    expect(sum(openaiSeconds, 'giveUps')).toBe(0);
    expect(openaiSeconds.reduce((n, x) => n + (x.faults.serverError ?? 0), 0)).toBe(1);
    for (const x of openaiSeconds.filter((v) => v.requests > 0)) {
      expect(x.ttfbP50Ms).not.toBeNull();
      expect(x.ttfbP95Ms).not.toBeNull();
      expect(x.p95Ms).not.toBeNull();
      expect(x.ttfbP50Ms ?? 0).toBeLessThanOrEqual(x.ttfbP95Ms ?? 0);
      // The histograms hold every request of the second.
      const count = Object.values(x.histograms?.totalMs ?? {}).reduce((n, c) => n + c, 0);
      expect(count).toBe(x.requests);
    }
    // Seconds are whole seconds of the mock's clock, oldest first.
    for (const x of s.seconds) expect(x.t % 1000).toBe(0);
    expect(s.seconds.map((x) => x.t)).toEqual([...s.seconds.map((x) => x.t)].sort((a, b) => a - b));
    expect(s.seconds.at(-1)?.connections).toBeGreaterThan(0);
  });

  it('shows held requests as in flight and waiting while they wait, and their aborts as give-ups', async () => {
    const mock = await mockWith({
      calls: {
        chat: [{ kind: 'latency', ttfb: { fixed: 600_000 } }],
        chatStream: [{ kind: 'hang', afterEvents: 1, ms: null }],
      },
    });
    const client = openai(`${mock.url}/openai`);
    const aborts = [new AbortController(), new AbortController(), new AbortController()];
    const held = aborts.map((a) => chat(client, a.signal).catch((e: unknown) => e));
    const streamAbort = new AbortController();
    // The stream's headers and first event go out, then it stops: open, no longer queued.
    const stream = await chatStream(client, streamAbort.signal);
    const streamDone = drain(stream);
    // The stream was queued too for a moment, so the second it started in may peak at 4 waiting;
    // the seconds after it, which start with the three held ones alone, show 3.
    const seen = await until(mock, (s) => {
      const x = newest(s, 'openai');
      return x?.inFlight === 4 && x.waiting === 3;
    });
    expect(newest(seen, 'openai')).toMatchObject({ requests: 0, giveUps: 0 });

    const metrics = parsePrometheusTextFormat(await (await fetch(`${mock.url}/metrics`)).text());
    const gauge = (name: string) =>
      Number(
        metrics.find((f) => f.name === name)?.metrics.find((m) => m.labels?.upstream === 'openai')
          ?.value,
      );
    expect(gauge('tapedeck_upstream_in_flight')).toBe(4);
    expect(gauge('tapedeck_upstream_waiting')).toBe(3);

    for (const a of aborts) a.abort();
    streamAbort.abort();
    await Promise.all(held);
    await streamDone;
    const after = await until(mock, (s) => sum(of(s, 'openai'), 'giveUps') === 4);
    const seconds = of(after, 'openai');
    expect(sum(seconds, 'requests')).toBe(4);
    expect(sum(seconds, 'errors')).toBe(0);
    // The stats count them too, exactly per step for `tapedeck load` where seconds are shared.
    const stats = (await (await fetch(`${mock.url}/__tapedeck/stats`)).json()) as {
      upstreams: Record<string, unknown>;
    };
    expect(stats.upstreams['openai']).toMatchObject({ requests: 4, giveUps: 4, errors: 0 });
    // Every give-up counts at the time its client waited (the held ones had no header at all), so
    // a vendor its callers give up on shows slow rather than absent.
    const withTtfb = seconds.filter((x) => x.ttfbP95Ms !== null);
    expect(withTtfb.length).toBeGreaterThan(0);
    const p95s = seconds.map((x) => x.p95Ms).filter((p): p is number => p !== null);
    expect(p95s.length).toBeGreaterThan(0);
    for (const p of p95s) expect(p).toBeGreaterThan(0);
    // The second's peak stays; what is open now is back to none.
    const text = await (await fetch(`${mock.url}/metrics`)).text();
    expect(text).toMatch(/tapedeck_upstream_in_flight\{upstream="openai"\} 0/);
    expect(text).toMatch(/tapedeck_upstream_waiting\{upstream="openai"\} 0/);
  });

  it("does not take the mock's own cut for a give-up", async () => {
    const mock = await mockWith({ calls: { chatStream: [{ kind: 'cutStream', afterEvents: 2 }] } });
    const { error } = await drain(await chatStream(openai(`${mock.url}/openai`)));
    expect(error).toBeTruthy();
    const seconds = of(await samples(mock), 'openai');
    expect(sum(seconds, 'requests')).toBe(1);
    expect(sum(seconds, 'giveUps')).toBe(0);
    expect(seconds.reduce((n, x) => n + (x.faults.cutStream ?? 0), 0)).toBe(1);
    // The reply ended, cut: its time is the vendor's.
    expect(seconds.some((x) => x.p95Ms !== null)).toBe(true);
  });

  it('counts a malformed reply in malformed and in faults', async () => {
    const mock = await mockWith({ calls: { chat: [{ kind: 'malformed', mode: 'toolArgs' }] } });
    const reply = await chat(openai(`${mock.url}/openai`));
    expect(reply.choices[0]?.message.tool_calls?.[0]).toBeDefined();
    const seconds = of(await samples(mock), 'openai');
    expect(sum(seconds, 'malformed')).toBe(1);
    expect(seconds.reduce((n, x) => n + (x.faults.malformed ?? 0), 0)).toBe(1);
    expect(sum(seconds, 'errors')).toBe(0);
  });

  it('filters by ?since=, refuses a bad one, and forgets everything on reset', async () => {
    const mock = await mockWith({});
    const client = openai(`${mock.url}/openai`);
    await chat(client);
    const all = await samples(mock);
    const first = all.seconds.find((x) => x.upstreams.openai)?.t ?? 0;
    // A step that began anywhere in the second after the first one still sees it.
    const fromNext = await samples(mock, `?since=${first + 1000}`);
    expect(fromNext.seconds.some((x) => x.t === first)).toBe(true);
    const later = await samples(mock, `?since=${first + 2001}`);
    expect(later.seconds.every((x) => x.t > first)).toBe(true);
    expect((await samples(mock, `?since=${all.now + 10_000}`)).seconds).toEqual([]);

    for (const bad of ['soon', '-5', '']) {
      const res = await fetch(`${mock.url}/__tapedeck/samples?since=${bad}`);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { message: string; type: string } };
      expect(body.error.type).toBe('tapedeck');
      expect(body.error.message).toContain('?since=');
    }

    const reset = await fetch(`${mock.url}/__tapedeck/reset`, { method: 'POST' });
    expect(reset.status).toBe(200);
    const cleared = await samples(mock);
    expect(cleared.seconds.flatMap((x) => Object.keys(x.upstreams))).toEqual([]);
    await chat(client);
    expect(sum(of(await samples(mock), 'openai'), 'requests')).toBe(1);
  });
});
