/** Anthropic's error shape (`type: "error"`, `error.type`), its 529 overload and its reset headers. */
import type { ErrorKind, ErrorOptions, ErrorReply } from '../../providers/errors.js';
import { errorBase, REQUEST_LIMIT, rfc3339 } from '../../providers/error-parts.js';

const ANTHROPIC_TYPE: Readonly<Record<ErrorKind, string>> = {
  not_found: 'not_found_error',
  invalid_request: 'invalid_request_error',
  // Anthropic's own type for a 413 (its error table lists it beside the others).
  too_large: 'request_too_large',
  rate_limit: 'rate_limit_error',
  server_error: 'api_error',
  bad_gateway: 'api_error',
  unavailable: 'api_error',
  overloaded: 'overloaded_error',
};

const OVERLOADED = 529;

export function anthropicError(
  kind: ErrorKind,
  message: string,
  provider: string,
  opts?: ErrorOptions,
): ErrorReply {
  const base = errorBase('anthropic-messages', provider, kind, message, opts, OVERLOADED);
  const { status, text, now, retryAfterS, headers, id } = base;
  headers['request-id'] = id;
  if (kind === 'rate_limit') {
    const reset = new Date(now.getTime() + Math.ceil(retryAfterS ?? 1) * 1000);
    Object.assign(headers, {
      'anthropic-ratelimit-requests-limit': String(REQUEST_LIMIT),
      'anthropic-ratelimit-requests-remaining': '0',
      'anthropic-ratelimit-requests-reset': rfc3339(reset),
    });
  }
  return {
    status,
    headers,
    body: { type: 'error', error: { type: ANTHROPIC_TYPE[kind], message: text }, request_id: id },
  };
}
