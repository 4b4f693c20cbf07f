/**
 * Error replies in each provider's own wire shape, so official SDKs raise the same typed errors
 * (openai `RateLimitError` with `code`/`type`, Anthropic `OverloadedError` with `error.type`,
 * genai `ApiError` with the JSON body as message) against the mock as against the vendor. The
 * shapes live in each family's adapter (`error.ts` in its folder).
 */
import type { ApiFamily } from '../adapters/adapter.js';
import { adapterOf } from '../adapters/registry.js';

export { goDuration } from './error-parts.js';

export type ErrorKind =
  | 'not_found'
  | 'invalid_request'
  | 'too_large'
  | 'rate_limit'
  | 'server_error'
  | 'bad_gateway'
  | 'unavailable'
  | 'overloaded';

export interface ErrorOptions {
  status?: number;
  retryAfterS?: number;
  now?: Date;
}

export interface ErrorReply {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export function providerError(
  family: ApiFamily,
  provider: string,
  kind: ErrorKind,
  message: string,
  opts: ErrorOptions = {},
): ErrorReply {
  return adapterOf(family).error(kind, message, provider, opts);
}
