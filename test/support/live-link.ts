/** A client of the mock's live link for tests: the SSE stream read with eventsource-parser. */
import http from 'node:http';
import { createParser } from 'eventsource-parser';
import { TOKEN_HEADER } from '../../shared/mock-link.js';

export interface SseMessage {
  event: string;
  data: string;
}

export interface LiveStream {
  status: number;
  messages: SseMessage[];
  close(): void;
}

/** Opens `GET URL/__tapedeck/live/events`; resolves once the response headers are in. */
export function openLiveStream(
  url: string,
  token: string | null,
  headers: Record<string, string> = {},
): Promise<LiveStream> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      `${url}/__tapedeck/live/events`,
      { headers: { ...(token !== null ? { [TOKEN_HEADER]: token } : {}), ...headers } },
      (res) => {
        const messages: SseMessage[] = [];
        const parser = createParser({
          onEvent: (m) => messages.push({ event: m.event ?? 'message', data: m.data }),
        });
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => parser.feed(chunk));
        res.on('error', () => undefined);
        resolve({ status: res.statusCode ?? 0, messages, close: () => req.destroy() });
      },
    );
    req.on('error', reject);
  });
}

/** A live endpoint with any Host and token, as a browser page or a rebinding attacker would send. */
export function liveRequest(
  url: string,
  method: string,
  p: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${p}`, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
