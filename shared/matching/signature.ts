/**
 * The signature the recorder stores for a call: everything that decides the reply, nothing that
 * identifies the caller or the attempt. Text is escaped so that the stored signature, read back
 * as a pattern, means exactly the recorded request (a prompt's markdown `**` is not a glob).
 */
import type { Signature } from '../schema.js';
import { SECRET_QUERY_PARAMS } from '../redact.js';
import { isPlainObject, setOwn } from './canonical.js';
import { escapeLiteral } from './glob.js';
import type { LiveRequest } from './live-request.js';
import { hasOperatorKey } from './operators.js';

/** Matched case-insensitively; the same list the recorder redacts, so secrets never match. */
export const CREDENTIAL_QUERY_PARAMS: readonly string[] = SECRET_QUERY_PARAMS;

/** Top-level body fields that change per run or per caller but not the reply. */
export const VOLATILE_BODY_FIELDS: readonly string[] = [
  'stream_options',
  'user',
  'metadata',
  'safety_identifier',
  'prompt_cache_key',
  'request_id',
  'requestId',
  'client_request_id',
  'idempotency_key',
];

const credentialSet = new Set(CREDENTIAL_QUERY_PARAMS.map((p) => p.toLowerCase()));
export const VOLATILE_SET: ReadonlySet<string> = new Set(VOLATILE_BODY_FIELDS);

export function isVolatileField(name: string): boolean {
  return VOLATILE_SET.has(name);
}

export function isCredentialQueryParam(name: string): boolean {
  return credentialSet.has(name.toLowerCase());
}

/** Drops credential parameters; returns the same object when there were none. */
export function withoutCredentials<T>(query: Record<string, T>): Record<string, T> {
  let out: Record<string, T> | null = null;
  for (const k of Object.keys(query)) {
    if (!isCredentialQueryParam(k)) continue;
    if (out === null) out = { ...query };
    delete out[k];
  }
  return out ?? query;
}

export function withoutVolatileFields(body: unknown): unknown {
  if (!isPlainObject(body)) return body;
  let out: Record<string, unknown> | null = null;
  for (const k of VOLATILE_BODY_FIELDS) {
    if (!Object.hasOwn(body, k)) continue;
    if (out === null) out = copyObject(body);
    delete out[k];
  }
  return out ?? body;
}

function copyObject(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) setOwn(out, k, o[k]);
  return out;
}

/** A live value as a signature value that matches exactly it and nothing else. */
export function escapeValue(value: unknown): unknown {
  if (typeof value === 'string') return escapeLiteral(value);
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const e = escapeValue(value[i]);
      if (e !== value[i] && out === null) out = value.slice(0, i);
      if (out !== null) out.push(e);
    }
    return out ?? value;
  }
  if (isPlainObject(value)) {
    // Any object with an operator's key, not just an exact operator: deleting a sibling key
    // while editing must not turn recorded data into a pattern.
    if (hasOperatorKey(value)) return { $literal: value };
    let out: Record<string, unknown> | null = null;
    const keys = Object.keys(value);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as string;
      const e = escapeValue(value[k]);
      if (e !== value[k] && out === null) {
        out = {};
        for (let j = 0; j < i; j++) setOwn(out, keys[j] as string, value[keys[j] as string]);
      }
      if (out !== null) setOwn(out, k, e);
    }
    return out ?? value;
  }
  return value;
}

/**
 * The full signature the recorder stores: upstream, method, path, query (only when non-empty,
 * credential params removed), body (volatile fields removed; omitted when there is no body).
 * Strings containing `*` come back escaped (`\*`, `\\`) and objects with an operator key wrapped
 * in `{"$literal": …}`, so the signature matches exactly this request. Unchanged parts are shared
 * with `req`, not copied.
 */
export function signatureOf(req: LiveRequest): Signature {
  const sig: Signature = {
    upstream: req.upstream,
    method: req.method.toUpperCase(),
    path: escapeLiteral(req.path),
  };
  const query = withoutCredentials(req.query);
  if (Object.keys(query).length > 0) sig.query = escapeValue(query);
  if (req.body !== undefined) sig.body = escapeValue(withoutVolatileFields(req.body));
  return sig;
}
