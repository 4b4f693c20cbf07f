/**
 * A small OpenAI-compatible upstream whose model answers with a `web_search` tool call (JSON, or
 * SSE with the arguments in fragments), so tool-call faults can be shown on the tool name real
 * agents break most (`web_search` → `web_serch`).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const SEARCH_ARGS = { query: 'fault injection for LLM gateways', max_results: 3 };
const ARGS_TEXT = JSON.stringify(SEARCH_ARGS);
const CREATED = 1767225600;
const MODEL = 'gpt-4o-mini-2024-07-18';

export interface SearchUpstream {
  url: string;
  close(): Promise<void>;
}

function completion(): unknown {
  return {
    id: 'chatcmpl-TDKsearch0001',
    object: 'chat.completion',
    created: CREATED,
    model: MODEL,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_TDKsearch0001',
              type: 'function',
              function: { name: 'web_search', arguments: ARGS_TEXT },
            },
          ],
          refusal: null,
        },
        logprobs: null,
        finish_reason: 'tool_calls',
      },
    ],
    usage: { prompt_tokens: 60, completion_tokens: 22, total_tokens: 82 },
  };
}

function chunks(): unknown[] {
  const base = {
    id: 'chatcmpl-TDKsearch0002',
    object: 'chat.completion.chunk',
    created: CREATED,
    model: MODEL,
  };
  const delta = (d: unknown, finish: string | null = null) => ({
    ...base,
    choices: [{ index: 0, delta: d, logprobs: null, finish_reason: finish }],
  });
  const half = Math.floor(ARGS_TEXT.length / 2);
  return [
    delta({ role: 'assistant', content: 'Searching.', refusal: null }),
    delta({
      tool_calls: [
        {
          index: 0,
          id: 'call_TDKsearch0002',
          type: 'function',
          function: { name: 'web_search', arguments: '' },
        },
      ],
    }),
    delta({ tool_calls: [{ index: 0, function: { arguments: ARGS_TEXT.slice(0, half) } }] }),
    delta({ tool_calls: [{ index: 0, function: { arguments: ARGS_TEXT.slice(half) } }] }),
    delta({}, 'tool_calls'),
  ];
}

export async function startSearchUpstream(eventDelayMs = 5): Promise<SearchUpstream> {
  const server = http.createServer((req, res) => {
    const body: Buffer[] = [];
    req.on('data', (c: Buffer) => body.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'no route', type: 'invalid_request_error' } }));
        return;
      }
      const stream = (JSON.parse(Buffer.concat(body).toString('utf8')) as { stream?: boolean })
        .stream;
      if (!stream) {
        const bytes = Buffer.from(JSON.stringify(completion()));
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': bytes.length });
        res.end(bytes);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.flushHeaders();
      const events = [...chunks().map((c) => JSON.stringify(c)), '[DONE]'];
      let i = 0;
      const next = () => {
        if (res.destroyed) return;
        if (i === events.length) return void res.end();
        res.write(`data: ${events[i++] as string}\n\n`);
        setTimeout(next, eventDelayMs);
      };
      next();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
