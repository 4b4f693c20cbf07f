/**
 * `createMockFetch({ responses })`: ModelMesh's mock client in wire form. Each request gets the
 * next reply (the last one repeats), rendered by the family's adapter in that vendor's format and
 * sent through the same replay stage as a recording, so a streamed request gets real SSE.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import { adapterOf, providerOf, routeOf } from '../shared/adapters/registry.js';
import { providerError } from '../shared/providers/errors.js';
import type { ScriptedResponse } from '../shared/scripted-reply.js';
import { BUILTIN_UPSTREAMS, type Route } from '../shared/upstreams.js';
import { sendJson } from '../proxy/http-util.js';
import type { FetchReply } from '../proxy/mock/fetch-reply.js';
import { prepareResponse, scheduleOf, send } from '../proxy/replay.js';
import type { MockMiss, Replier } from './replier.js';
import { testIdOf } from '../proxy/mock/test-scopes.js';
import { MAX_MISSES } from '../proxy/mock/stats.js';
import { testOf } from './test-id.js';

const INSTANT = { mode: 'instant' } as const;
const NO_TIME = { ttfbMs: 0, totalMs: 0 };

export class ScriptedReplier implements Replier {
  readonly upstreams: Readonly<Record<string, string>>;
  readonly ready = Promise.resolve();
  readonly loadErrors = [] as const;
  /** The next reply's position, per test id ('' for requests without one). */
  private readonly positions = new Map<string, number>();
  private kept: MockMiss[] = [];

  constructor(
    private readonly responses: readonly ScriptedResponse[],
    upstreams: Readonly<Record<string, string>> = {},
  ) {
    if (responses.length === 0)
      throw new TypeError('createMockFetch: `responses` needs at least one reply');
    this.upstreams = { ...BUILTIN_UPSTREAMS, ...upstreams };
  }

  answer(
    route: Route,
    method: string,
    headers: IncomingHttpHeaders,
    raw: Buffer,
    reply: FetchReply,
  ): Promise<void> {
    const { family } = routeOf(route.path);
    const adapter = adapterOf(family);
    const provider = providerOf(route.name, family);
    const test = testOf(headers);
    const refuse = (reason: string, kind: 'not_found' | 'invalid_request', message: string) => {
      this.kept.push({
        upstream: route.name,
        method,
        path: route.path,
        closest: null,
        closestFile: null,
        diff: [],
        reason,
        test,
      });
      if (this.kept.length > MAX_MISSES) this.kept.shift();
      const err = providerError(family, provider, kind, message);
      sendJson(reply, err.status, err.body, err.headers);
      return Promise.resolve();
    };
    // A bad id is refused, as the snapshot mock refuses it: the shared replies would drift.
    const id = testIdOf(headers);
    if (id.kind === 'invalid')
      return refuse(id.reason, 'invalid_request', `Tapedeck: request refused: ${id.reason}.`);
    if (!adapter.scripted) {
      const reason = `scripted responses answer chat requests (OpenAI chat and Responses, Anthropic, Gemini), not ${method} ${route.path}`;
      return refuse(reason, 'not_found', `Tapedeck: ${reason}.`);
    }
    const key = test ?? '';
    const n = this.positions.get(key) ?? 0;
    this.positions.set(key, n + 1);
    const i = Math.min(n, this.responses.length - 1);
    const recorded = adapter.scripted(this.responses[i] as ScriptedResponse, {
      path: route.path,
      search: route.search,
      body: parseJson(raw),
      n,
    });
    const prepared = prepareResponse(recorded, NO_TIME, false);
    return send(prepared, reply, scheduleOf(prepared, INSTANT), performance.now(), {
      'x-tapedeck-call': `responses[${i}]`,
    });
  }

  misses(test?: string): MockMiss[] {
    return this.kept.filter((m) => test === undefined || m.test === test);
  }

  reset(test?: string): void {
    if (test === undefined) {
      this.positions.clear();
      this.kept = [];
    } else {
      this.positions.delete(test);
      this.kept = this.kept.filter((m) => m.test !== test);
    }
  }
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}
