/**
 * The control API's `?test=ID`: reset, misses and stats of one test's scope, over a real socket,
 * the mock's global stats untouched; without it the endpoints answer as before.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseRoute } from '../shared/upstreams.js';
import { MAX_TEST_ID_LENGTH } from '../shared/test-header.js';
import { control, type ControlContext } from '../proxy/mock/control.js';
import { EventBus, type MockEvent } from '../proxy/mock/events.js';
import { MockMetrics } from '../proxy/mock/metrics.js';
import { MockStats } from '../proxy/mock/stats.js';
import { TestScopes } from '../proxy/mock/test-scopes.js';

function miss(path: string): MockEvent {
  return {
    outcome: 'miss',
    request: { id: 1, method: 'POST', upstream: 'openai', path, time: Date.UTC(2026, 0, 1) },
    status: 404,
    faults: [],
    timings: { ttfbMs: 1, totalMs: 1 },
    miss: { closest: null, diff: ['no calls recorded'] },
  };
}

let server: Server;
let base: string;
let stats: MockStats;
let tests: TestScopes;
let globalResets: number;

/** A ControlContext as server.ts builds one, with the per-test scopes. */
function context(withTests: boolean): ControlContext {
  const bus = new EventBus(() => {});
  stats = new MockStats();
  bus.subscribe(stats.add);
  tests = new TestScopes();
  globalResets = 0;
  return {
    maxBodyBytes: 1024,
    stats,
    snapshot: () => ({ calls: 0, errors: [] }),
    prices: () => undefined,
    openConnections: () => 0,
    reset: () => {
      globalResets++;
      stats.reset();
    },
    metrics: new MockMetrics(bus, () => 0),
    unused: () => [],
    ...(withTests ? { tests } : {}),
  };
}

async function serve(ctx: ControlContext): Promise<void> {
  server = createServer((req, res) => {
    const route = parseRoute(req.url ?? '/');
    if (route === null) throw new Error('no route');
    void control(ctx, req, res, route);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/__tapedeck`;
}

async function json(path: string, method = 'GET'): Promise<{ status: number; body: unknown }> {
  const res = await fetch(base + path, { method });
  return { status: res.status, body: await res.json() };
}

afterEach(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

describe('control ?test=', () => {
  beforeEach(async () => {
    await serve(context(true));
    stats.add(miss('/global'));
    const a = tests.scope('test a');
    a.add(miss('/a1'));
    a.add(miss('/a2'));
    tests.scope('b').add(miss('/b1'));
  });

  it('misses?test= lists that test’s misses only; an unknown test has none', async () => {
    const a = await json(`/misses?test=${encodeURIComponent('test a')}`);
    expect(a.status).toBe(200);
    expect((a.body as { misses: { path: string }[] }).misses.map((m) => m.path)).toEqual([
      '/a1',
      '/a2',
    ]);
    expect(await json('/misses?test=nobody')).toEqual({ status: 200, body: { misses: [] } });
    expect(tests.has('nobody')).toBe(false);
    const all = (await json('/misses')).body as { misses: { path: string }[] };
    expect(all.misses.map((m) => m.path)).toEqual(['/global']);
  });

  it('stats?test= counts that test’s requests and unmatched', async () => {
    expect(await json('/stats?test=b')).toEqual({
      status: 200,
      body: { test: 'b', requests: 1, unmatched: 1 },
    });
    expect(await json('/stats?test=nobody')).toEqual({
      status: 200,
      body: { test: 'nobody', requests: 0, unmatched: 0 },
    });
    const all = (await json('/stats')).body as { unmatched: number; upstreams: object };
    expect(all.unmatched).toBe(1);
    expect(Object.keys(all.upstreams)).toEqual(['openai']);
  });

  it('reset?test= forgets only that test; the global stats and other tests stay', async () => {
    expect(await json('/reset?test=b', 'POST')).toEqual({
      status: 200,
      body: { ok: true, test: 'b' },
    });
    expect(tests.has('b')).toBe(false);
    expect(tests.has('test a')).toBe(true);
    expect(globalResets).toBe(0);
    expect(stats.unmatched).toBe(1);
    expect(await json('/stats?test=b')).toMatchObject({ body: { requests: 0, unmatched: 0 } });
    // Idempotent: a test's clean-up may reset before it ever sent a request.
    expect(await json('/reset?test=b', 'POST')).toEqual({
      status: 200,
      body: { ok: true, test: 'b' },
    });
    expect((await json('/reset?test=b')).status).toBe(405);
  });

  it('reset without ?test= resets the mock as before, and every test with it', async () => {
    expect(await json('/reset', 'POST')).toEqual({ status: 200, body: { ok: true } });
    expect(globalResets).toBe(1);
    expect(stats.unmatched).toBe(0);
    expect(tests.size).toBe(0);
  });

  it('refuses a test id the header would refuse', async () => {
    for (const bad of ['', 'x'.repeat(MAX_TEST_ID_LENGTH + 1), '%0Anewline']) {
      const r = await json(`/stats?test=${bad}`);
      expect(r.status).toBe(400);
      expect(JSON.stringify(r.body)).toContain('x-tapedeck-test');
    }
  });
});

describe('control ?test= on a mock without per-test state', () => {
  it('answers 501 rather than resetting the whole mock', async () => {
    await serve(context(false));
    stats.add(miss('/global'));
    const r = await json('/reset?test=a', 'POST');
    expect(r.status).toBe(501);
    expect(globalResets).toBe(0);
    expect(stats.unmatched).toBe(1);
  });
});
