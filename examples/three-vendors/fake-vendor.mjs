// A local stand-in for an OpenAI-compatible vendor, used once by record.mjs so the snapshot is real
// recorder output without real keys. Its model always answers with one `web_search` tool call.
import http from 'node:http';

const CREATED = 1767225600;

function completion(model, query) {
  return {
    id: `chatcmpl-${model.replace(/[^a-z0-9]/gi, '').slice(0, 12)}0001`,
    object: 'chat.completion',
    created: CREATED,
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_search0001',
              type: 'function',
              function: {
                name: 'web_search',
                arguments: JSON.stringify({ query, max_results: 5 }),
              },
            },
          ],
          refusal: null,
        },
        logprobs: null,
        finish_reason: 'tool_calls',
      },
    ],
    usage: { prompt_tokens: 96, completion_tokens: 24, total_tokens: 120 },
  };
}

/** Starts the vendor on a free port; it answers after `delayMs`, as a real one takes time. */
export function startFakeVendor({ delayMs = 150 } = {}) {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url.endsWith('/chat/completions')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `no route ${req.url}`, type: 'not_found' } }));
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const question = body.messages.at(-1).content;
      const reply = Buffer.from(JSON.stringify(completion(body.model, question)));
      setTimeout(() => {
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': reply.length,
          'x-request-id': 'req_fakevendor0001',
        });
        res.end(reply);
      }, delayMs);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
