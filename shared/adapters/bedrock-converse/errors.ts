/**
 * Bedrock's error replies (restJson1): the error code travels in the `x-amzn-errortype` header,
 * `Code:namespace-uri` as the service sends it, and the body is `{"message": "…"}`. The AWS SDK
 * reads the header first (`loadRestJsonErrorCode`: header, then body `code`, then `__type`), keeps
 * what comes before the `:` and raises the modeled exception of that name: ThrottlingException,
 * ServiceUnavailableException, InternalServerException, ValidationException,
 * ResourceNotFoundException, ModelNotReadyException…
 */
import { errorBase } from '../../providers/error-parts.js';
import type { ErrorKind, ErrorOptions, ErrorReply } from '../../providers/errors.js';

export const BEDROCK_ERROR_TYPE: Readonly<Record<ErrorKind, string>> = {
  not_found: 'ResourceNotFoundException',
  invalid_request: 'ValidationException',
  too_large: 'ValidationException',
  rate_limit: 'ThrottlingException',
  server_error: 'InternalServerException',
  bad_gateway: 'InternalServerException',
  unavailable: 'ServiceUnavailableException',
  // Bedrock has no "overloaded" of its own: a model that cannot take more is unavailable.
  overloaded: 'ServiceUnavailableException',
};

const NAMESPACE = 'http://internal.amazon.com/coral/com.amazon.bedrock/';

export function bedrockErrorHeaders(kind: ErrorKind, requestId: string): Record<string, string> {
  return {
    'x-amzn-errortype': `${BEDROCK_ERROR_TYPE[kind]}:${NAMESPACE}`,
    'x-amzn-requestid': requestId,
  };
}

export function bedrockError(
  kind: ErrorKind,
  message: string,
  provider: string,
  opts?: ErrorOptions,
): ErrorReply {
  const { status, text, headers, id } = errorBase(
    'bedrock-converse',
    provider,
    kind,
    message,
    opts,
  );
  Object.assign(headers, bedrockErrorHeaders(kind, id));
  return { status, headers, body: { message: text } };
}
