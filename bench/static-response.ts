import { writeFile } from 'node:fs/promises';
import type { HttpResponse } from './http.js';

/** One fixed HTTP response, served identically by the baseline and the peers. */
export interface StaticResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Sent without a length (chunked), as a replayed SSE stream is: headers, one write, end. */
  chunked?: boolean;
}

// Set per connection or per response by every server itself; copying them would be wrong or stale.
const PER_CONNECTION = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'date',
]);

export function staticResponseOf(res: HttpResponse): StaticResponse {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) {
    if (!PER_CONNECTION.has(k.toLowerCase())) headers[k] = v;
  }
  const chunked = res.headers['transfer-encoding'] === 'chunked';
  return {
    status: res.status,
    headers,
    body: res.body.toString('utf8'),
    ...(chunked ? { chunked } : {}),
  };
}

export async function writeStaticResponse(path: string, spec: StaticResponse): Promise<string> {
  await writeFile(path, JSON.stringify(spec));
  return path;
}
