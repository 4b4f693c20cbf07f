import type { Signature } from '../shared/schema.js';

// Fields a recorder drops from a request body because they differ between otherwise equal calls.
const VOLATILE_BODY_FIELDS = new Set(['stream_options', 'user', 'metadata']);

/**
 * The exact signature a recorder would write for a request (DESIGN.md, "Signatures"), so that
 * generated snapshots match the requests the bench sends.
 */
export function signatureFor(
  upstream: string,
  method: string,
  path: string,
  query: Record<string, string>,
  body: unknown,
): Signature {
  const signature: Signature = { upstream, method, path };
  if (Object.keys(query).length > 0) signature.query = query;
  if (body !== undefined) signature.body = withoutVolatileFields(body);
  return signature;
}

function withoutVolatileFields(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  return Object.fromEntries(Object.entries(body).filter(([k]) => !VOLATILE_BODY_FIELDS.has(k)));
}
