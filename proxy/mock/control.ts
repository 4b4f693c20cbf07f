/**
 * The control API beside the pipeline: `/__tapedeck/health|stats|misses|reset`. Control requests
 * are about the mock, not traffic through it: they publish no event and take no request number.
 * `?test=ID` on stats, misses and reset is about one test's scope only (test-scopes.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Prices } from '../../shared/providers/cost.js';
import type { LoadError } from '../../shared/schema.js';
import type { Route } from '../../shared/upstreams.js';
import { BodyTooLargeError, readBody, sendJson } from '../http-util.js';
import type { RecordMissResult } from '../../shared/mock-link.js';
import type { KeptRequest } from './kept-request.js';
import type { LiveHub } from './live.js';
import type { MockMetrics } from './metrics.js';
import type { MockStats } from './stats.js';
import type { VendorSamples } from './vendor-samples.js';
import { testIdProblem, type TestScopes } from './test-scopes.js';

export interface ControlContext {
  readonly maxBodyBytes: number;
  readonly stats: MockStats;
  /** The loaded snapshot as it is now (a reload replaces it). */
  snapshot(): { calls: number; errors: readonly LoadError[] };
  /** The manifest's `prices` as they are now, for `replayed`. */
  prices(): Prices | undefined;
  openConnections(): number;
  /** The vendor side second by second (`/__tapedeck/samples`); absent: that endpoint answers 404. */
  samples?: VendorSamples;
  /** Forgets what was counted and starts the matcher's and the faults' sequences over. */
  reset(): void;
  /** Prometheus metrics (`GET /metrics`, `/__tapedeck/metrics`). */
  metrics: MockMetrics;
  /** Ids of the loaded calls never hit since start or reset, in seq order. */
  unused(): string[];
  /** The live link's endpoints (`/__tapedeck/live/*`); absent: they answer 404. */
  live?: LiveHub;
  /**
   * Forwards a kept miss to its real upstream once and saves the reply as a new call (the desktop's
   * *record it*); absent when this mock cannot record, and `live/record` then says so.
   */
  recordKept?: (kept: KeptRequest) => Promise<RecordMissResult>;
  /** Per-test scopes (`x-tapedeck-test`); absent: `?test=` answers 501. */
  tests?: TestScopes;
}

/** The endpoints that take `?test=`. */
const PER_TEST = new Set(['/stats', '/misses', '/reset']);

/** `?test=ID` of the query: null when absent, or the reply refusing it. */
function testParam(
  ctx: ControlContext,
  route: Route,
): { id: string; tests: TestScopes } | null | { status: number; message: string } {
  if (route.search === '') return null;
  const id = new URLSearchParams(route.search).get('test');
  if (id === null) return null;
  const problem = testIdProblem(id);
  if (problem !== null) return { status: 400, message: `Tapedeck: ?test=: ${problem}` };
  if (!ctx.tests) return { status: 501, message: 'Tapedeck: this mock keeps no per-test state' };
  return { id, tests: ctx.tests };
}

export async function control(
  ctx: ControlContext,
  req: IncomingMessage,
  res: ServerResponse,
  route: Route,
): Promise<void> {
  const read: Buffer | unknown = await readBody(req, ctx.maxBodyBytes).then(
    (b) => b,
    (e: unknown) => e,
  );
  if (read instanceof BodyTooLargeError)
    return sendJson(
      res,
      413,
      { error: { message: `Tapedeck: body over ${ctx.maxBodyBytes} bytes`, type: 'tapedeck' } },
      { connection: 'close' },
    );
  if (!(read instanceof Buffer)) return;
  if (ctx.live && route.path.startsWith('/live/'))
    return ctx.live.handle(req, res, route.path.slice('/live'.length), read, ctx.recordKept);
  const test = PER_TEST.has(route.path) ? testParam(ctx, route) : null;
  if (test !== null && 'status' in test)
    return sendJson(res, test.status, { error: { message: test.message, type: 'tapedeck' } });
  if (test !== null) return perTest(test.tests, test.id, req, res, route.path);
  switch (route.path) {
    case '/health': {
      const { calls, errors } = ctx.snapshot();
      return sendJson(res, 200, { ok: true, mode: 'mock', calls, errors: errors.length });
    }
    case '/stats': {
      const { calls, errors } = ctx.snapshot();
      const { upstreams, unmatched, costAvoidedUsd } = ctx.stats.view();
      return sendJson(res, 200, {
        upstreams,
        openConnections: ctx.openConnections(),
        calls,
        unmatched,
        costAvoidedUsd,
        unused: ctx.unused(),
        replayed: ctx.stats.replayed.totals(ctx.prices()),
        errors,
      });
    }
    case '/misses':
      return sendJson(res, 200, { misses: ctx.stats.misses });
    case '/samples': {
      if (!ctx.samples) break;
      const since = sinceParam(route);
      if (typeof since === 'string')
        return sendJson(res, 400, { error: { message: since, type: 'tapedeck' } });
      return sendJson(res, 200, ctx.samples.view(since));
    }
    case '/metrics': {
      const { contentType, text } = await ctx.metrics.render();
      res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
      res.end(text);
      return;
    }
    case '/reset':
      if (req.method !== 'POST')
        return sendJson(res, 405, {
          error: { message: 'POST /__tapedeck/reset', type: 'tapedeck' },
        });
      ctx.reset();
      // Everything starts over, every test included.
      ctx.tests?.clear();
      return sendJson(res, 200, { ok: true });
  }
  return sendJson(res, 404, {
    error: { message: `Tapedeck: no control endpoint ${route.path}`, type: 'tapedeck' },
  });
}

/** `?since=MS` (ms since the epoch): null when absent, the refusal's message when it is no such time. */
function sinceParam(route: Route): number | null | string {
  if (route.search === '') return null;
  const text = new URLSearchParams(route.search).get('since');
  if (text === null) return null;
  const since = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(since))
    return `Tapedeck: ?since= wants a time in ms since the epoch, got "${text.slice(0, 40)}"`;
  return since;
}

/**
 * One test's stats, misses or reset. An id never seen reads as a test that has sent nothing yet,
 * and resetting it succeeds: a test's clean-up need not know whether it sent a request. Reading
 * creates no scope, so polling ids cannot fill the table.
 */
function perTest(
  tests: TestScopes,
  id: string,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): void {
  const scope = tests.get(id);
  switch (path) {
    case '/stats':
      return sendJson(res, 200, {
        test: id,
        requests: scope?.requests ?? 0,
        unmatched: scope?.unmatched ?? 0,
      });
    case '/misses':
      return sendJson(res, 200, { misses: scope?.misses ?? [] });
    default:
      if (req.method !== 'POST')
        return sendJson(res, 405, {
          error: { message: 'POST /__tapedeck/reset?test=ID', type: 'tapedeck' },
        });
      tests.reset(id);
      return sendJson(res, 200, { ok: true, test: id });
  }
}
