/** A live request prepared once per call: credentials gone, normalizers applied. */
import { isPlainObject } from './canonical.js';
import { exactHash } from './compile-signature.js';
import type { LiveRequest } from './live-request.js';
import { normalizeDeep, type StringNormalizer } from './normalize.js';
import { isVolatileField, withoutCredentials } from './signature.js';

export interface LiveView {
  readonly upstream: string;
  readonly method: string;
  readonly path: string;
  /** Credential parameters removed; `{}` when there is no query. */
  readonly query: Record<string, unknown>;
  readonly hasQuery: boolean;
  /** All fields, volatile ones included: a signature that names one compares it. */
  readonly body: unknown;
}

export function liveView(req: LiveRequest, norm: StringNormalizer | null): LiveView {
  const stripped = withoutCredentials(req.query);
  let hasQuery = false;
  for (const k in stripped) {
    if (Object.hasOwn(stripped, k)) {
      hasQuery = true;
      break;
    }
  }
  return {
    upstream: req.upstream,
    method: req.method.toUpperCase(),
    path: norm ? norm(req.path) : req.path,
    query: norm && hasQuery ? (normalizeDeep(stripped, norm) as Record<string, unknown>) : stripped,
    hasQuery,
    body: norm && req.body !== undefined ? normalizeDeep(req.body, norm) : req.body,
  };
}

export function liveExactHash(view: LiveView): number {
  return exactHash(
    view.upstream,
    view.method,
    view.path,
    view.hasQuery ? view.query : undefined,
    view.body,
    isPlainObject(view.body) ? isVolatileField : undefined,
  );
}
