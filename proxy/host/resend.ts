/**
 * Sending a call file's recorded request again, to the mock serving the folder: the bytes it
 * recorded, with the headers that decide how it is answered, and never a credential. The redacted
 * auth values become placeholders, which the mock accepts like any key.
 */
import { request } from 'undici';
import type { ResendResult } from '../../shared/desktop-api.js';
import { DEFAULT_MAX_BODY_BYTES } from '../../shared/limits.js';
import { routeOfCall } from '../../shared/adapters/registry.js';
import { isSecretQueryParam } from '../../shared/redact.js';
import { Call } from '../../shared/schema.js';
import { bodyBytes } from '../body.js';
import { PLACEHOLDER_KEY } from '../child-env.js';
import { flattenHeaders } from '../http-util.js';
import { parseJsonFile } from '../store/parse-file.js';
import { readSnapshotFile } from '../store/read-file.js';
import { resolveInside } from './confine.js';
import { kindOf } from './files.js';
import { HostError } from './host-error.js';

/** The headers providers authenticate with; sent as placeholders when the recording had them. */
const AUTH_HEADERS: Record<string, string> = {
  authorization: `Bearer ${PLACEHOLDER_KEY}`,
  'x-api-key': PLACEHOLDER_KEY,
  'x-goog-api-key': PLACEHOLDER_KEY,
  'api-key': PLACEHOLDER_KEY,
};

/** Besides content-type and accept: the provider headers that choose an API version or feature. */
const PROVIDER_HEADER = /^(anthropic-(version|beta)|openai-beta)$/;

function requestHeaders(recorded: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [raw, value] of Object.entries(recorded)) {
    const name = raw.toLowerCase();
    const placeholder = AUTH_HEADERS[name];
    if (placeholder) out[name] = placeholder;
    else if (name === 'content-type' || name === 'accept' || PROVIDER_HEADER.test(name))
      out[name] = value;
  }
  return out;
}

/** The recorded query (its `?` included), a redacted key turned into the placeholder. */
function queryOf(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return '';
  const end = url.indexOf('#', q);
  const search = url.slice(q + 1, end < 0 ? undefined : end);
  if (search === '') return '';
  const parts = search.split('&').map((part) => {
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    let decoded = name;
    try {
      decoded = decodeURIComponent(name);
    } catch {
      // kept as written
    }
    return eq >= 0 && isSecretQueryParam(decoded) ? `${name}=${PLACEHOLDER_KEY}` : part;
  });
  return '?' + parts.join('&');
}

async function readCall(root: string, rel: string): Promise<Call> {
  const target = await resolveInside(root, rel);
  if (kindOf(target.rel) !== 'call')
    throw new HostError('bad_request', `${JSON.stringify(rel)} is not a call file (calls/*.json)`);
  const read = await readSnapshotFile(target.abs);
  if (!read.ok) {
    if (read.missing) throw new HostError('not_found', `${JSON.stringify(rel)} was not found`);
    throw new HostError('bad_request', `${JSON.stringify(rel)} ${read.reason}`);
  }
  const parsed = parseJsonFile(read.bytes.toString('utf8'), target.rel, Call);
  if (!parsed.ok) {
    const { file, line, reason } = parsed.error;
    throw new HostError('bad_request', `${file}${line ? `:${line}` : ''}: ${reason}`);
  }
  return parsed.value;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function asText(bytes: Buffer): { body: string; bodyEncoding: 'utf8' | 'base64' } {
  try {
    return { body: utf8.decode(bytes), bodyEncoding: 'utf8' };
  } catch {
    return { body: bytes.toString('base64'), bodyEncoding: 'base64' };
  }
}

/**
 * Sends the request of call file `rel` (inside `root`) to the mock at `baseUrl` and reads the
 * whole reply, up to the request-body limit (a reply larger than any body the mock accepts).
 */
export async function resendCallTo(
  root: string,
  rel: string,
  baseUrl: string,
  maxReplyBytes: number = DEFAULT_MAX_BODY_BYTES,
): Promise<ResendResult> {
  const call = await readCall(root, rel);
  const route = routeOfCall(call);
  const target = `${baseUrl.replace(/\/+$/, '')}/${call.upstream}${route.path}${queryOf(call.request.url)}`;
  const body = bodyBytes(call.request);
  const method = call.request.method.toUpperCase();
  const started = performance.now();
  let reply: Awaited<ReturnType<typeof request>>;
  try {
    reply = await request(target, {
      method,
      headers: requestHeaders(call.request.headers),
      body: body.length > 0 || (method !== 'GET' && method !== 'HEAD') ? body : undefined,
    });
  } catch (e) {
    throw new HostError(
      'no_mock',
      `the mock at ${baseUrl} did not answer: ${(e as Error).message}`,
    );
  }
  const ttfbMs = performance.now() - started;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of reply.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxReplyBytes) {
        reply.body.destroy();
        throw new HostError(
          'bad_request',
          `the mock's reply to ${rel} is over ${maxReplyBytes} bytes; not read`,
        );
      }
      chunks.push(chunk);
    }
  } catch (e) {
    if (e instanceof HostError) throw e;
    throw new HostError(
      'no_mock',
      `the mock at ${baseUrl} broke off its reply: ${(e as Error).message}`,
    );
  }
  const totalMs = performance.now() - started;
  const headers = flattenHeaders(reply.headers);
  const answeredBy = headers['x-tapedeck-call'] ?? null;
  return {
    status: reply.statusCode,
    headers,
    ...asText(Buffer.concat(chunks)),
    ttfbMs: Math.round(ttfbMs * 10) / 10,
    totalMs: Math.round(totalMs * 10) / 10,
    answeredBy,
  };
}
