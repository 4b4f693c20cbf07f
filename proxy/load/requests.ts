/**
 * What `tapedeck load` sends: the captured inbound requests (`DIR/inbound/*.json`, each a
 * `tapedeck-inbound/1` exchange, in capture order) or a `--requests FILE.jsonl` (one
 * `{ "method", "path", "headers", "body" }` a line). A file or line that does not parse is left
 * out and reported by name and reason; the rest still run.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { loadInbound } from '../store/inbound-load.js';
import { INBOUND_DIR } from '../store/snapshot-store.js';

export interface LoadRequest {
  method: string;
  /** Path and query, appended to the target URL. */
  path: string;
  headers: Record<string, string>;
  body: Buffer | null;
}

export interface BadRequestSource {
  /** The file (relative to the folder), or `FILE:LINE` for a JSONL line. */
  where: string;
  reason: string;
}

export interface LoadedRequests {
  requests: LoadRequest[];
  bad: BadRequestSource[];
}

/** Set by the client per connection or per body; a captured value would be wrong here. */
const HOP_HEADERS = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'keep-alive',
  'upgrade',
  'expect',
  'te',
  'trailer',
  'proxy-connection',
]);

export function sendableHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (!HOP_HEADERS.has(k.toLowerCase())) out[k] = v;
  return out;
}

function issueText(e: z.ZodError): string {
  return e.issues
    .slice(0, 3)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

function bodyOf(r: { body?: unknown; bodyText?: string; bodyBase64?: string }): Buffer | null {
  if (r.bodyBase64 !== undefined) return Buffer.from(r.bodyBase64, 'base64');
  if (r.bodyText !== undefined) return Buffer.from(r.bodyText, 'utf8');
  if (r.body !== undefined) return Buffer.from(JSON.stringify(r.body), 'utf8');
  return null;
}

/**
 * `DIR/inbound/*.json` in capture order, read by the store's `loadInbound` (the same safe reads
 * and checks as call files). A folder without captures is an error here: there is nothing to send.
 */
export async function readInboundRequests(dir: string): Promise<LoadedRequests> {
  const { exchanges, errors } = await loadInbound(dir);
  if (exchanges.length === 0 && errors.length === 0)
    throw new Error(`no ${INBOUND_DIR}/*.json files`);
  return {
    requests: exchanges.map(({ request: q }) => ({
      method: q.method,
      path: q.path,
      headers: sendableHeaders(q.headers),
      body: bodyOf(q),
    })),
    bad: errors.map((e) => ({ where: e.file, reason: e.reason })),
  };
}

const JsonlRequest = z
  .object({
    method: z.string().regex(/^[A-Za-z]+$/, 'an HTTP method such as GET or POST'),
    path: z.string().regex(/^\//, 'starts with /'),
    headers: z.record(z.string(), z.string()).optional(),
    // A string is sent as it is; anything else as its JSON.
    body: z.unknown().optional(),
  })
  .strict();

/** One request a line; blank lines are skipped. */
export async function readRequestsFile(file: string): Promise<LoadedRequests> {
  const text = await readFile(file, 'utf8');
  const requests: LoadRequest[] = [];
  const bad: BadRequestSource[] = [];
  const base = path.basename(file);
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${base}:${i + 1}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (e) {
      bad.push({ where, reason: `not JSON: ${(e as Error).message}` });
      return;
    }
    const r = JsonlRequest.safeParse(parsed);
    if (!r.success) {
      bad.push({ where, reason: issueText(r.error) });
      return;
    }
    const { body } = r.data;
    const headers = sendableHeaders(r.data.headers ?? {});
    const json = body !== undefined && body !== null && typeof body !== 'string';
    if (json && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type'))
      headers['content-type'] = 'application/json';
    requests.push({
      method: r.data.method.toUpperCase(),
      path: r.data.path,
      headers,
      body:
        body === undefined || body === null
          ? null
          : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8'),
    });
  });
  return { requests, bad };
}
