/**
 * Stage 1: what was asked. The route and its API family (found once, here, for every later stage),
 * the body read within the limits, and the live request the matcher compares, built at most once.
 */
import type { IncomingMessage } from 'node:http';
import type { LiveRequest } from '../../shared/matching/live-request.js';
import type { ApiFamily } from '../../shared/adapters/adapter.js';
import { providerOf, routeOf } from '../../shared/adapters/registry.js';
import { MAX_JSON_DEPTH, bytesExceedDepth } from '../../shared/limits.js';
import { parseQuery, type Route } from '../../shared/upstreams.js';
import { liveBody, parsesAsJson } from '../body.js';
import { BodyTooLargeError, readBody } from '../http-util.js';
import { closedByTimeout } from '../server-util.js';
import type { Refusal } from './events.js';

/** Bodies up to this size are remembered by their bytes for exact hits (see Matcher.matchRaw). */
const RAW_MEMO_MAX_BODY = 8 * 1024;

export class BodyTooDeepError extends Error {}

/** A request addressed to an upstream, before its body is read. */
export interface Addressed {
  readonly id: number;
  readonly method: string;
  readonly route: Route;
  readonly family: ApiFamily;
  /** The provider the route's family implies (for replies to requests that match no call). */
  readonly provider: string;
  /** performance.now() when the request arrived. */
  readonly arrived: number;
}

export function addressed(id: number, method: string, route: Route, arrived: number): Addressed {
  const family = routeOf(route.path).family;
  return { id, method, route, family, provider: providerOf(route.name, family), arrived };
}

export interface Limits {
  maxBodyBytes: number;
  bodyTimeoutMs: number;
}

export type BodyRead =
  | { ok: true; raw: Buffer }
  | { ok: false; refusal: Refusal; reason: string }
  /** The client went away before its body arrived: nothing to answer, nothing to report. */
  | null;

export async function readRequestBody(req: IncomingMessage, limits: Limits): Promise<BodyRead> {
  try {
    return { ok: true, raw: await readBody(req, limits.maxBodyBytes) };
  } catch (e) {
    if (e instanceof BodyTooLargeError)
      return {
        ok: false,
        refusal: 'too_large',
        reason: `body over --max-body (${limits.maxBodyBytes} bytes)`,
      };
    // A client that went away is no failure of ours; one that was too slow is reported.
    if (closedByTimeout(req.socket))
      return {
        ok: false,
        refusal: 'timeout',
        reason: `request not complete within --body-timeout (${limits.bodyTimeoutMs} ms)`,
      };
    return null;
  }
}

export const TOO_DEEP_REASON = `JSON body nests deeper than ${MAX_JSON_DEPTH} levels`;

/** A request with its whole body: what the match, plan and answer stages work from. */
export class Parsed {
  private liveCache: LiveRequest | null = null;

  constructor(
    readonly at: Addressed,
    readonly raw: Buffer,
    private readonly contentType: string | undefined,
    /** performance.now() when the body was complete: replies are timed from here. */
    readonly start: number,
  ) {}

  /** The key of Matcher.matchRaw, or null when the body is too large to be worth remembering. */
  rawKey(): string | null {
    if (this.raw.length > RAW_MEMO_MAX_BODY) return null;
    const { route, method } = this.at;
    return `${route.name}\u0000${method}\u0000${route.path}\u0000${route.search}\u0000${this.contentType ?? ''}\u0000${this.raw.toString('latin1')}`;
  }

  /** Built on first use: a request that equals a remembered one is never parsed. */
  live(): LiveRequest {
    return (this.liveCache ??= this.parse());
  }

  private parse(): LiveRequest {
    const raw = this.raw;
    const body = liveBody(raw, this.contentType);
    // JSON nested deeper than the limit is kept as text by storeBody (so it cannot overflow a
    // recursive walk); it is refused like the recorder refuses it, not matched as a string.
    if (typeof body === 'string' && bytesExceedDepth(raw) && parsesAsJson(body))
      throw new BodyTooDeepError();
    const { route, method } = this.at;
    return {
      upstream: route.name,
      method,
      path: route.path,
      query: parseQuery(route.search),
      body,
      // Lets redaction rule out secrets with one regex over the text instead of a walk; a
      // getter, as a request that equals a recording as it is never needs it.
      get rawBody() {
        return raw.toString('latin1');
      },
    };
  }
}
