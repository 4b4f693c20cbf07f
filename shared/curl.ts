/**
 * A recorded call as a `curl` command a POSIX shell runs: its method, URL, headers and body
 * bytes. Sent to a mock (`baseUrl`) it goes to `${baseUrl}/${upstream}${path}${query}`; without
 * one, to the provider's real URL as recorded. Credentials were never recorded, so each redacted
 * header or query value becomes a shell variable (`$OPENAI_API_KEY`) the user sets.
 */
import { routeOfCall } from './adapters/registry.js';
import type { Call } from './schema.js';
import { isSecretHeader, isSecretQueryParam, REDACTED } from './redact.js';

/** One shell word, built of literal text and variable references. */
type Piece = { text: string } | { variable: string };

/** POSIX single quotes: everything literal, a `'` closed, escaped and reopened. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function word(pieces: readonly Piece[]): string {
  return pieces
    .map((p) => ('variable' in p ? `"$${p.variable}"` : p.text === '' ? '' : shellQuote(p.text)))
    .join('');
}

/** `openai` → `OPENAI`; a name a shell variable can carry. */
function envPrefix(upstream: string): string {
  const name = upstream.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  return /^[A-Z_]/.test(name) ? name : `_${name}`;
}

/** The variable a redacted credential comes from: the provider's usual key name for key headers. */
function variableFor(upstream: string, name: string): string {
  const lower = name.toLowerCase();
  const keyLike =
    lower === 'authorization' ||
    lower === 'proxy-authorization' ||
    /(^|[-_.])(api[-_]?key|key)$/.test(lower);
  return keyLike
    ? `${envPrefix(upstream)}_API_KEY`
    : `${envPrefix(upstream)}_${lower.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
}

/** Transport headers curl sets itself (or that would break a hand-run request). */
const LEFT_OUT = new Set([
  'host',
  'content-length',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'accept-encoding',
  'te',
  'upgrade',
  'expect',
]);

/**
 * The path the mock serves the call under (the route's, after the upstream's base URL, which may
 * have a path of its own) and the recorded query.
 */
export function pathAndQuery(call: Call): string {
  const url = call.request.url;
  const q = url.indexOf('?');
  const end = url.indexOf('#');
  const search = q < 0 ? '' : url.slice(q, end > q ? end : undefined);
  return routeOfCall(call).path + (search === '?' ? '' : search);
}

/** The query's redacted values as variables; the rest byte for byte. */
function urlPieces(url: string, upstream: string): Piece[] {
  const q = url.indexOf('?');
  if (q < 0) return [{ text: url }];
  const pieces: Piece[] = [{ text: url.slice(0, q + 1) }];
  const pairs = url.slice(q + 1).split('&');
  pairs.forEach((pair, i) => {
    const sep = i < pairs.length - 1 ? '&' : '';
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    const value = eq < 0 ? '' : pair.slice(eq + 1);
    const redacted = value === encodeURIComponent(REDACTED) || value === REDACTED;
    if (eq >= 0 && redacted && isSecretQueryParam(name)) {
      pieces.push(
        { text: `${name}=` },
        { variable: `${envPrefix(upstream)}_API_KEY` },
        { text: sep },
      );
    } else pieces.push({ text: pair + sep });
  });
  return pieces;
}

function headerPieces(upstream: string, name: string, value: string): Piece[] {
  if (!value.includes(REDACTED)) return [{ text: `${name}: ${value}` }];
  if (!isSecretHeader(name) && value !== REDACTED) return [{ text: `${name}: ${value}` }];
  const variable = variableFor(upstream, name);
  const lower = name.toLowerCase();
  // The recorder kept no scheme for a redacted Authorization: bearer keys are what providers take.
  if ((lower === 'authorization' || lower === 'proxy-authorization') && value === REDACTED)
    return [{ text: `${name}: Bearer ` }, { variable }];
  const parts = value.split(REDACTED);
  const pieces: Piece[] = [{ text: `${name}: ` }];
  parts.forEach((p, i) => {
    if (p !== '') pieces.push({ text: p });
    if (i < parts.length - 1) pieces.push({ variable });
  });
  return pieces;
}

/** The request body exactly as recorded, or null when there is none. */
function bodyOf(call: Call): { text: string } | { base64: string } | null {
  const r = call.request;
  if (r.bodyBase64 !== undefined) return { base64: r.bodyBase64 };
  if (r.bodyText !== undefined) return { text: r.bodyText };
  if (r.body !== undefined) return { text: JSON.stringify(r.body) };
  return null;
}

/** Each option on its own line, as browsers' "copy as cURL" writes them. */
const NEXT_LINE = ' \\\n  ';

export function curlOf(call: Call, baseUrl: string | null): string {
  const target =
    baseUrl === null
      ? call.request.url
      : `${baseUrl.replace(/\/+$/, '')}/${call.upstream}${pathAndQuery(call)}`;
  const lines: string[] = [`curl ${word(urlPieces(target, call.upstream))}`];
  lines.push(`-X ${shellQuote(call.request.method.toUpperCase())}`);
  const headers = Object.entries(call.request.headers).sort(([a], [b]) => a.localeCompare(b));
  for (const [name, value] of headers) {
    if (LEFT_OUT.has(name.toLowerCase())) continue;
    lines.push(`-H ${word(headerPieces(call.upstream, name, value))}`);
  }
  const body = bodyOf(call);
  if (body === null) return lines.join(NEXT_LINE);
  if ('text' in body) {
    lines.push(`--data-binary ${shellQuote(body.text)}`);
    return lines.join(NEXT_LINE);
  }
  // Binary bytes cannot sit in a shell word (a NUL ends it): they are decoded on the way in.
  lines.push('--data-binary @-');
  return `printf '%s' ${shellQuote(body.base64)} | base64 -d | ${lines.join(NEXT_LINE)}`;
}
