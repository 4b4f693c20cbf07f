/**
 * Error replies in each provider's own wire shape, so official SDKs raise the same typed errors
 * (openai `RateLimitError` with `code`/`type`, Anthropic `OverloadedError` with `error.type`,
 * genai `ApiError` with the JSON body as message) against the mock as against the vendor.
 */
import { bedrockErrorHeaders } from '../adapters/bedrock-converse/errors.js';
import { cohereErrorBody } from '../adapters/cohere-chat/errors.js';
import type { ApiFamily } from './detect.js';

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

const DEFAULT_STATUS: Readonly<Record<ErrorKind, number>> = {
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
const REQUEST_LIMIT = 60;
const TOKEN_LIMIT = 150_000;

type Shape = 'openai' | 'openrouter' | 'anthropic' | 'gemini' | 'bedrock' | 'cohere' | 'http';

function shapeOf(family: ApiFamily, provider: string): Shape {
  switch (family) {
    case 'openai-chat':
    case 'openai-responses':
    case 'openai-embeddings':
      return provider === 'openrouter' ? 'openrouter' : 'openai';
    case 'anthropic-messages':
      return 'anthropic';
    case 'gemini':
      return 'gemini';
    case 'bedrock-converse':
      return 'bedrock';
    case 'cohere-chat':
      return 'cohere';
    case 'http':
      return 'http';
  }
}

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
function rfc3339(date: Date): string {
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

const OPENAI_TYPE: Readonly<Record<ErrorKind, string>> = {
  not_found: 'invalid_request_error',
  invalid_request: 'invalid_request_error',
  too_large: 'invalid_request_error',
  rate_limit: 'requests',
  server_error: 'server_error',
  bad_gateway: 'server_error',
  unavailable: 'server_error',
  overloaded: 'server_error',
};

const OPENAI_CODE: Readonly<Partial<Record<ErrorKind, string>>> = {
  not_found: 'tapedeck_no_match',
  too_large: 'request_too_large',
  rate_limit: 'rate_limit_exceeded',
};

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

function retryHeaders(seconds: number): Record<string, string> {
  // retry-after must be whole seconds on the wire; the Stainless SDKs read retry-after-ms first.
  return {
    'retry-after': String(Math.ceil(seconds)),
    'retry-after-ms': String(Math.round(seconds * 1000)),
  };
}

export function providerError(
  family: ApiFamily,
  provider: string,
  kind: ErrorKind,
  message: string,
  opts: ErrorOptions = {},
): ErrorReply {
  const shape = shapeOf(family, provider);
  const status =
    opts.status ?? (kind === 'overloaded' && shape === 'anthropic' ? 529 : DEFAULT_STATUS[kind]);
  const text = message || DEFAULT_MESSAGE[kind];
  const now = opts.now ?? new Date();
  const retryAfterS = opts.retryAfterS ?? (kind === 'rate_limit' ? 1 : undefined);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (retryAfterS !== undefined) Object.assign(headers, retryHeaders(retryAfterS));
  const id = requestId(
    'req_',
    `${now.toISOString()}|${family}|${provider}|${kind}|${status}|${text}`,
  );

  switch (shape) {
    case 'openai':
      headers['x-request-id'] = id;
      if (kind === 'rate_limit') {
        Object.assign(headers, {
          'x-ratelimit-limit-requests': String(REQUEST_LIMIT),
          'x-ratelimit-remaining-requests': '0',
          'x-ratelimit-reset-requests': goDuration(retryAfterS ?? 1),
          'x-ratelimit-limit-tokens': String(TOKEN_LIMIT),
          'x-ratelimit-remaining-tokens': String(TOKEN_LIMIT),
          'x-ratelimit-reset-tokens': '0s',
        });
      }
      return {
        status,
        headers,
        body: {
          error: {
            message: text,
            type: OPENAI_TYPE[kind],
            param: null,
            code: OPENAI_CODE[kind] ?? null,
          },
        },
      };
    case 'openrouter':
      return { status, headers, body: { error: { code: status, message: text } } };
    case 'anthropic':
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
        body: {
          type: 'error',
          error: { type: ANTHROPIC_TYPE[kind], message: text },
          request_id: id,
        },
      };
    case 'gemini': {
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
    case 'bedrock':
      Object.assign(headers, bedrockErrorHeaders(kind, id));
      return { status, headers, body: { message: text } };
    case 'cohere':
      return { status, headers, body: cohereErrorBody(id, text) };
    case 'http':
      return { status, headers, body: { error: { message: text, type: kind } } };
  }
}
