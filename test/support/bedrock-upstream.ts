/**
 * A local stand-in for Bedrock Runtime's Converse API: real-shaped JSON replies, converse-stream
 * as binary AWS event-stream frames encoded with the Smithy codec the AWS SDK itself decodes with
 * (an implementation independent of Tapedeck's), a tool-use reply, a mid-stream exception frame
 * and a throttling error as the service sends it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventStreamCodec } from '@smithy/core/event-streams';
import { fromUtf8, toUtf8 } from '@smithy/core/serde';
import type { MessageHeaders } from '@smithy/types';
import { STREAM_EVENTS, TEXT_REPLY, TOOL_REPLY } from './bedrock-wire.js';

export interface BedrockRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface BedrockUpstream {
  url: string;
  requests: BedrockRequest[];
  /** Every byte of every converse-stream reply body sent, in order of the requests. */
  streamed: Buffer[];
  close(): Promise<void>;
}

const codec = new EventStreamCodec(toUtf8, fromUtf8);

export function frame(
  type: string,
  payload: unknown,
  kind: 'event' | 'exception' = 'event',
): Buffer {
  const headers: MessageHeaders =
    kind === 'event'
      ? {
          ':event-type': { type: 'string' as const, value: type },
          ':content-type': { type: 'string' as const, value: 'application/json' },
          ':message-type': { type: 'string' as const, value: 'event' },
        }
      : {
          ':exception-type': { type: 'string' as const, value: type },
          ':content-type': { type: 'string' as const, value: 'application/json' },
          ':message-type': { type: 'string' as const, value: 'exception' },
        };
  return Buffer.from(codec.encode({ headers, body: fromUtf8(JSON.stringify(payload)) }));
}

/** The stream's frames; a prompt saying STREAM_ERROR gets an exception frame after the text. */
function streamFrames(prompt: string): Buffer[] {
  if (prompt.includes('STREAM_ERROR'))
    return [
      ...STREAM_EVENTS.slice(0, 3).map((e) => frame(e.type, e.payload)),
      frame(
        'modelStreamErrorException',
        { message: 'The model stream failed.', originalStatusCode: 500 },
        'exception',
      ),
    ];
  const frames = STREAM_EVENTS.map((e) => frame(e.type, e.payload));
  // A prompt saying CORRUPT gets a second frame whose message CRC is off by one bit.
  if (prompt.includes('CORRUPT')) {
    const bad = Buffer.from(frames[1] as Buffer);
    bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1;
    frames[1] = bad;
  }
  return frames;
}

function promptOf(body: string): string {
  try {
    return JSON.stringify((JSON.parse(body) as { messages?: unknown }).messages ?? '');
  } catch {
    return '';
  }
}

let counter = 0;

export async function startBedrockUpstream(eventDelayMs = 5): Promise<BedrockUpstream> {
  const requests: BedrockRequest[] = [];
  const streamed: Buffer[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      requests.push({ path, headers: req.headers, body });
      const requestId = `9f2c1a3e-0000-4000-8000-${String(++counter).padStart(12, '0')}`;
      const prompt = promptOf(body);
      const m = /^\/model\/([^/]+)\/(converse|converse-stream)$/.exec(path);
      if (!m || req.method !== 'POST') {
        res.writeHead(404, {
          'content-type': 'application/json',
          'x-amzn-requestid': requestId,
          'x-amzn-errortype':
            'UnknownOperationException:http://internal.amazon.com/coral/com.amazon.coral.service/',
        });
        return res.end('{"message":null}');
      }
      if (prompt.includes('THROTTLE')) {
        res.writeHead(429, {
          'content-type': 'application/json',
          'x-amzn-requestid': requestId,
          'x-amzn-errortype':
            'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/',
        });
        return res.end('{"message":"Too many requests, please wait before trying again."}');
      }
      if (m[2] === 'converse') {
        const reply = prompt.includes('weather') ? TOOL_REPLY : TEXT_REPLY;
        res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': requestId });
        return res.end(JSON.stringify(reply));
      }
      res.writeHead(200, {
        'content-type': 'application/vnd.amazon.eventstream',
        'x-amzn-requestid': requestId,
      });
      res.flushHeaders();
      const frames = streamFrames(prompt);
      const sent: Buffer[] = [];
      streamed.push(Buffer.alloc(0));
      const slot = streamed.length - 1;
      let i = 0;
      const next = () => {
        if (i >= frames.length) {
          streamed[slot] = Buffer.concat(sent);
          return res.end();
        }
        const f = frames[i++] as Buffer;
        sent.push(f);
        // Every other frame goes out in two writes, split inside its prelude: the recorder must
        // reassemble frames across chunks.
        if (i % 2 === 0) {
          res.write(f.subarray(0, 5));
          setTimeout(() => {
            res.write(f.subarray(5));
            setTimeout(next, eventDelayMs);
          }, 1);
        } else {
          res.write(f);
          setTimeout(next, eventDelayMs);
        }
      };
      next();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    streamed,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
