/** A live request prepared once per call: credentials gone, redaction and normalizers applied. */
import type { Redactor } from '../redact.js';
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

/** How the matcher redacts a live request: `norm` includes `redactor.text`, `plainNorm` does not. */
export interface LiveRedaction {
  readonly redactor: Redactor;
  readonly plainNorm: StringNormalizer | null;
}

export function liveView(
  req: LiveRequest,
  norm: StringNormalizer | null,
  redaction: LiveRedaction | null = null,
): LiveView {
  const stripped = withoutCredentials(req.query);
  let hasQuery = false;
  for (const k in stripped) {
    if (Object.hasOwn(stripped, k)) {
      hasQuery = true;
      break;
    }
  }
  let body = req.body;
  let bodyNorm = norm;
  if (redaction && typeof body === 'object' && body !== null) {
    // The hot path: one regex over the raw text usually shows there is nothing to redact, and
    // then the parsed body is not walked for it at all.
    const raw = req.rawBody; // read once: the mock's is a getter that converts the bytes
    const deep = raw === undefined || redaction.redactor.mayMatch(raw);
    body = redaction.redactor.liveStructure(body, deep);
    if (!deep) bodyNorm = redaction.plainNorm;
  }
  return {
    upstream: req.upstream,
    method: req.method.toUpperCase(),
    path: norm ? norm(req.path) : req.path,
    query: norm && hasQuery ? (normalizeDeep(stripped, norm) as Record<string, unknown>) : stripped,
    hasQuery,
    body: bodyNorm && body !== undefined ? normalizeDeep(body, bodyNorm) : body,
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
