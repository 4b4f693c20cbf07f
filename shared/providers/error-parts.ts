/**
 * What every family's error reply shares: default statuses and messages, the retry headers, a
 * stable request id, and the synthetic rate-limit quota. Each adapter's `error` builds its own
 * wire shape on top of `errorBase`.
 */
import type { ApiFamily } from '../adapters/adapter.js';
import type { ErrorKind, ErrorOptions } from './errors.js';

export const DEFAULT_STATUS: Readonly<Record<ErrorKind, number>> = {
  not_found: 404,
  invalid_request: 400,
  too_large: 413,
  rate_limit: 429,
  server_error: 500,
  bad_gateway: 502,
  unavailable: 503,
  overloaded: 503,
};

/** Used when the caller passes an empty message: what the vendors themselves say. */
const DEFAULT_MESSAGE: Readonly<Record<ErrorKind, string>> = {
  not_found: 'No recorded call matches this request.',
  invalid_request: 'The request is invalid.',
  too_large: 'Request exceeds the maximum allowed number of bytes.',
  rate_limit: 'Rate limit reached. Please try again later.',
  server_error: 'The server had an error while processing your request.',
  bad_gateway: 'Bad gateway.',
  unavailable: 'The service is temporarily unavailable. Please try again later.',
  overloaded: 'The model is overloaded. Please try again later.',
};

// Synthetic quota shown in rate-limit headers: the limit is spent, the window resets after retry-after.
export const REQUEST_LIMIT = 60;
export const TOKEN_LIMIT = 150_000;

/** Go's time.Duration formatting, which OpenAI uses for x-ratelimit-reset-*: "1s", "6m0s", "250ms". */
export function goDuration(seconds: number): string {
  if (seconds <= 0) return '0s';
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.round((seconds % 60) * 1000) / 1000;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/** RFC 3339 without fractional seconds, as Anthropic sends its reset times. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A stable id derived from the reply's content, so identical faults give identical replies. */
function requestId(prefix: string, seed: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < seed.length; i++) {
    const c = seed.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  return `${prefix}${h1.toString(36)}${h2.toString(36)}`.padEnd(prefix.length + 14, '0');
}

function retryHeaders(seconds: number): Record<string, string> {
  // retry-after must be whole seconds on the wire; the Stainless SDKs read retry-after-ms first.
  return {
    'retry-after': String(Math.ceil(seconds)),
    'retry-after-ms': String(Math.round(seconds * 1000)),
  };
}

export interface ErrorBase {
  status: number;
  /** The message, or the vendor's default for the kind when it is empty. */
  text: string;
  now: Date;
  retryAfterS: number | undefined;
  /** content-type and, when there is a wait, retry-after; the family adds its own. */
  headers: Record<string, string>;
  id: string;
}

/** `overloadedStatus`: Anthropic says "overloaded" with its own 529. */
export function errorBase(
  family: ApiFamily,
  provider: string,
  kind: ErrorKind,
  message: string,
  opts: ErrorOptions = {},
  overloadedStatus = DEFAULT_STATUS.overloaded,
): ErrorBase {
  const status = opts.status ?? (kind === 'overloaded' ? overloadedStatus : DEFAULT_STATUS[kind]);
  const text = message || DEFAULT_MESSAGE[kind];
  const now = opts.now ?? new Date();
  const retryAfterS = opts.retryAfterS ?? (kind === 'rate_limit' ? 1 : undefined);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (retryAfterS !== undefined) Object.assign(headers, retryHeaders(retryAfterS));
  const id = requestId(
    'req_',
    `${now.toISOString()}|${family}|${provider}|${kind}|${status}|${text}`,
  );
  return { status, text, now, retryAfterS, headers, id };
}
