/**
 * Cohere's error replies: `{"id": "…", "message": "…"}` with the HTTP status carrying the kind. The
 * cohere-ai SDK picks its error class by status alone: 400 BadRequestError, 404 NotFoundError,
 * 429 TooManyRequestsError, 500 InternalServerError, 503 ServiceUnavailableError, 504
 * GatewayTimeoutError, anything else a plain CohereError; it retries 408, 429 and 5xx, waiting
 * what `retry-after` says.
 */
import { errorBase } from '../../providers/error-parts.js';
import type { ErrorKind, ErrorOptions, ErrorReply } from '../../providers/errors.js';

export function cohereErrorBody(id: string, message: string): { id: string; message: string } {
  return { id, message };
}

export function cohereError(
  kind: ErrorKind,
  message: string,
  provider: string,
  opts?: ErrorOptions,
): ErrorReply {
  const { status, text, headers, id } = errorBase('cohere-chat', provider, kind, message, opts);
  return { status, headers, body: cohereErrorBody(id, text) };
}
