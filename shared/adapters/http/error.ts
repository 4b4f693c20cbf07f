/** A neutral JSON error for requests that speak no known family. */
import type { ErrorKind, ErrorOptions, ErrorReply } from '../../providers/errors.js';
import { errorBase } from '../../providers/error-parts.js';

export function httpError(
  kind: ErrorKind,
  message: string,
  provider: string,
  opts?: ErrorOptions,
): ErrorReply {
  const { status, text, headers } = errorBase('http', provider, kind, message, opts);
  return { status, headers, body: { error: { message: text, type: kind } } };
}
