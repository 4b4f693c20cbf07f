/** Google's error shape (`error.code`/`status`, a RetryInfo detail on quota errors). */
import type { ErrorKind, ErrorOptions, ErrorReply } from '../../providers/errors.js';
import { errorBase } from '../../providers/error-parts.js';

const GEMINI_STATUS: Readonly<Record<ErrorKind, string>> = {
  not_found: 'NOT_FOUND',
  invalid_request: 'INVALID_ARGUMENT',
  // google.rpc has no code for 413; Gemini reports an oversized payload as INVALID_ARGUMENT.
  too_large: 'INVALID_ARGUMENT',
  rate_limit: 'RESOURCE_EXHAUSTED',
  server_error: 'INTERNAL',
  bad_gateway: 'UNAVAILABLE',
  unavailable: 'UNAVAILABLE',
  overloaded: 'UNAVAILABLE',
};

export function geminiError(
  kind: ErrorKind,
  message: string,
  provider: string,
  opts?: ErrorOptions,
): ErrorReply {
  const { status, text, retryAfterS, headers } = errorBase('gemini', provider, kind, message, opts);
  const error: Record<string, unknown> = {
    code: status,
    message: text,
    status: GEMINI_STATUS[kind],
  };
  if (kind === 'rate_limit') {
    error['details'] = [
      {
        '@type': 'type.googleapis.com/google.rpc.RetryInfo',
        retryDelay: `${Math.ceil(retryAfterS ?? 1)}s`,
      },
    ];
  }
  return { status, headers, body: { error } };
}
