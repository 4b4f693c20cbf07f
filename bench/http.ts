import { Agent, request } from 'undici';

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** One keep-alive connection per origin: sequential requests then measure the server, not the handshake. */
export function keepAliveAgent(): Agent {
  return new Agent({ connections: 1, pipelining: 1, keepAliveTimeout: 60_000 });
}

export async function send(agent: Agent, req: HttpRequest): Promise<HttpResponse> {
  const res = await request(req.url, {
    dispatcher: agent,
    method: req.method as 'GET',
    headers: req.headers,
    body: req.body,
  });
  const body = Buffer.from(await res.body.arrayBuffer());
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) {
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return { status: res.statusCode, headers, body };
}

/** For readiness polling: true once the server answers the request with the expected status. */
export async function answers(agent: Agent, req: HttpRequest, status = 200): Promise<boolean> {
  const res = await send(agent, req);
  return res.status === status;
}

/** The same request sent to another server: only the origin changes. */
export function atOrigin(req: HttpRequest, origin: string): HttpRequest {
  const url = new URL(req.url);
  return { ...req, url: origin + url.pathname + url.search };
}
