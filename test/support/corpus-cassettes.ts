/**
 * VCR cassettes (the corpus of real provider traffic) read into plain request/reply pairs: bytes
 * for bodies, flattened header lists, and whether the reply is an SSE stream.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export interface CassetteRequest {
  method: string;
  url: URL;
  headers: [string, string][];
  body: Buffer | undefined;
}

export interface CassetteResponse {
  status: number;
  headers: [string, string][];
  body: Buffer;
  sse: boolean;
}

export interface Interaction {
  index: number;
  request: CassetteRequest;
  response: CassetteResponse;
}

export interface Cassette {
  /** Path relative to the corpus root, e.g. `anthropic/test_x.yaml`. */
  name: string;
  interactions: Interaction[];
}

type Obj = Record<string, unknown>;

function headerList(raw: unknown): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, values] of Object.entries((raw ?? {}) as Obj)) {
    for (const v of Array.isArray(values) ? values : [values]) out.push([name, String(v)]);
  }
  return out;
}

function bytesOf(value: unknown): Buffer {
  if (value === undefined || value === null) return Buffer.alloc(0);
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (value instanceof Uint8Array) return Buffer.from(value);
  return Buffer.from(JSON.stringify(value), 'utf8');
}

function requestBody(req: Obj): Buffer | undefined {
  if (req['parsed_body'] !== undefined)
    return Buffer.from(JSON.stringify(req['parsed_body']), 'utf8');
  const body = bytesOf(req['body']);
  return body.length > 0 ? body : undefined;
}

function responseBody(res: Obj): Buffer {
  if (res['parsed_body'] !== undefined)
    return Buffer.from(JSON.stringify(res['parsed_body']), 'utf8');
  const body = res['body'] as Obj | undefined;
  return bytesOf(body?.['string']);
}

export function headerValue(headers: [string, string][], name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find(([k]) => k.toLowerCase() === lower)?.[1];
}

function readCassette(root: string, name: string): Cassette {
  const doc = parse(readFileSync(path.join(root, name), 'utf8')) as { interactions?: Obj[] };
  const interactions = (doc.interactions ?? []).map((it, index): Interaction => {
    const req = it['request'] as Obj;
    const res = it['response'] as Obj;
    const responseHeaders = headerList(res['headers']);
    return {
      index,
      request: {
        // VCR kept one method as the client spelled it ("post"); on the wire methods are upper case.
        method: String(req['method']).toUpperCase(),
        url: new URL(String(req['uri'])),
        headers: headerList(req['headers']),
        body: requestBody(req),
      },
      response: {
        status: Number((res['status'] as Obj)['code']),
        headers: responseHeaders,
        body: responseBody(res),
        sse: (headerValue(responseHeaders, 'content-type') ?? '').includes('text/event-stream'),
      },
    };
  });
  return { name, interactions };
}

/** Every `*.yaml` under `root`, in a stable order. */
export function loadCassettes(root: string): Cassette[] {
  const names = readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((n) => n.endsWith('.yaml'))
    .sort();
  return names.map((n) => readCassette(root, n));
}
