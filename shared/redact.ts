/**
 * What the recorder must never write to disk: credentials in headers and in the query string.
 * Redaction keeps the name (so a reader sees a key was sent) and replaces the value.
 */
export const REDACTED = '[REDACTED]';

/** Always redacted, whatever the provider. */
export const SECRET_HEADERS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'api-key',
  'x-goog-api-key',
  'cookie',
  'set-cookie',
  'openai-organization',
  'openai-project',
  'anthropic-organization-id',
  'x-goog-user-project',
];

/** Header names that look like credentials of some gateway or vendor we do not know by name. */
const SECRET_NAME = /(api[-_]?key|secret|token|password|passwd|credential|session)/i;

export const SECRET_QUERY_PARAMS: readonly string[] = [
  'key',
  'api_key',
  'apikey',
  'api-key',
  'access_token',
  'token',
  'auth',
  'sig',
  'signature',
  'x-goog-api-key',
];

export function isSecretHeader(name: string, extra: readonly string[] = []): boolean {
  const lower = name.toLowerCase();
  return SECRET_HEADERS.includes(lower) || extra.includes(lower) || SECRET_NAME.test(lower);
}

export function redactHeaders(
  headers: Record<string, string>,
  extra: readonly string[] = [],
): Record<string, string> {
  const lowerExtra = extra.map((h) => h.toLowerCase());
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = isSecretHeader(name, lowerExtra) ? REDACTED : value;
  }
  return out;
}

export function isSecretQueryParam(name: string): boolean {
  return SECRET_QUERY_PARAMS.includes(name.toLowerCase());
}

/** Redacts secret query parameters of a URL string; the rest of the URL is kept byte for byte. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash < 0 ? undefined : hash);
  const redacted = query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq < 0 ? pair : pair.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        // a malformed escape is kept as written; it is still compared by its raw name
      }
      return eq >= 0 && isSecretQueryParam(name)
        ? `${rawName}=${encodeURIComponent(REDACTED)}`
        : pair;
    })
    .join('&');
  return url.slice(0, q + 1) + redacted + (hash < 0 ? '' : url.slice(hash));
}
