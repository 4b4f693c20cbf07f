/**
 * The OpenAI error shape (`error.type`/`code`, x-ratelimit-* headers) that the openai SDK turns
 * into typed errors; OpenRouter answers OpenAI-family requests with its own smaller shape.
 */
import type { ErrorKind, ErrorOptions, ErrorReply } from '../../providers/errors.js';
import { errorBase, goDuration, REQUEST_LIMIT, TOKEN_LIMIT } from '../../providers/error-parts.js';
import type { ApiFamily, ProviderAdapter } from '../adapter.js';

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

export function openaiErrorOf(family: ApiFamily): ProviderAdapter['error'] {
  return (kind: ErrorKind, message: string, provider: string, opts?: ErrorOptions): ErrorReply => {
    const { status, text, retryAfterS, headers, id } = errorBase(
      family,
      provider,
      kind,
      message,
      opts,
    );
    if (provider === 'openrouter') {
      return { status, headers, body: { error: { code: status, message: text } } };
    }
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
  };
}
