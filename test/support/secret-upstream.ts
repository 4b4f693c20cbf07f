/**
 * A local provider whose replies carry secrets of their own (in a JSON body, in a tool call's
 * arguments, in streamed event data, in a text body and in a response header), speaking the wire
 * shapes the official SDKs parse: OpenAI chat completions (plain and streamed), Anthropic
 * messages, Gemini generateContent, and a plain-text echo route.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the upstream puts in its replies; none of it may reach a snapshot. */
export const UPSTREAM_SECRETS = {
  reply: 'sk-proj-UPSTREAMreplyKEY0000000000000000001',
  toolArg: 'ghp_UPSTREAMtoolARG00000000000000000000001',
  streamed: 'xoxp-1111111111-UPSTREAMstreamed-0001',
  anthropic: 'sk-ant-api03-UPSTREAMclaudeREPLY000000000000001',
  gemini: 'AIzaUPSTREAMgeminiREPLY0000000000000001',
  text: 'github_pat_UPSTREAMtextREPLY000000000000000001',
  header: 'UPSTREAMheaderSECRET0001',
} as const;

export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface SecretUpstream {
  url: string;
  requests: Received[];
  close(): Promise<void>;
}

const common = {
  'x-request-id': 'req_tdk000001',
  // A usage count and a rate-limit header: not secrets, replay needs them.
  num_tokens: '42',
  'x-ratelimit-remaining-tokens': '199750',
  // A credential-named response header.
  'x-auth': UPSTREAM_SECRETS.header,
};

function json(res: http.ServerResponse, body: unknown): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(200, {
    ...common,
    'content-type': 'application/json',
    'content-length': bytes.length,
  });
  res.end(bytes);
}

function openaiReply(): unknown {
  return {
    id: 'chatcmpl-TDKabcdefghijklmnopqrstuvwxyz01',
    object: 'chat.completion',
    created: 1767225600,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: `Your new key is ${UPSTREAM_SECRETS.reply}.`,
          refusal: null,
          tool_calls: [
            {
              id: 'call_TDKtool0001',
              type: 'function',
              function: {
                name: 'store_token',
                arguments: JSON.stringify({ token: UPSTREAM_SECRETS.toolArg }),
              },
            },
          ],
        },
        finish_reason: 'tool_calls',
      },
    ],
    usage: { prompt_tokens: 40, completion_tokens: 12, total_tokens: 52 },
  };
}

function openaiStream(res: http.ServerResponse): void {
  res.writeHead(200, { ...common, 'content-type': 'text/event-stream' });
  const chunk = (delta: unknown, finish: string | null) => ({
    id: 'chatcmpl-TDKstream000000000000000000001',
    object: 'chat.completion.chunk',
    created: 1767225600,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  const events = [
    chunk({ role: 'assistant', content: '' }, null),
    chunk({ content: `Slack says ${UPSTREAM_SECRETS.streamed} ` }, null),
    chunk({ content: 'done.' }, null),
    chunk({}, 'stop'),
  ];
  for (const e of events) res.write(`data: ${JSON.stringify(e)}\n\n`);
  res.end('data: [DONE]\n\n');
}

function anthropicReply(): unknown {
  return {
    id: 'msg_01TDKabcdefghijklmnopq',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5-20250929',
    content: [
      { type: 'text', text: `Rotated: ${UPSTREAM_SECRETS.anthropic}` },
      {
        type: 'tool_use',
        id: 'toolu_01TDKabcdefghijklmnopq',
        name: 'save',
        input: { note: 'saved' },
      },
    ],
    stop_reason: 'tool_use',
    stop_sequence: null,
    usage: { input_tokens: 30, output_tokens: 9 },
  };
}

function geminiReply(): unknown {
  return {
    candidates: [
      {
        content: { role: 'model', parts: [{ text: `Use ${UPSTREAM_SECRETS.gemini} next.` }] },
        finishReason: 'STOP',
        index: 0,
      },
    ],
    usageMetadata: { promptTokenCount: 8, candidatesTokenCount: 6, totalTokenCount: 14 },
    modelVersion: 'gemini-2.5-flash',
  };
}

export async function startSecretUpstream(): Promise<SecretUpstream> {
  const requests: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = req.url ?? '/';
      requests.push({ method: req.method ?? 'GET', url, headers: req.headers, body });
      const path = new URL(url, 'http://upstream.invalid').pathname;
      if (path === '/v1/chat/completions') {
        const stream = (JSON.parse(body) as { stream?: boolean }).stream === true;
        return stream ? openaiStream(res) : json(res, openaiReply());
      }
      if (path === '/v1/messages') return json(res, anthropicReply());
      if (/^\/v1beta\/models\/[^/:]+:generateContent$/.test(path)) return json(res, geminiReply());
      if (path === '/v1/echo') {
        const text = `echo ok, and here is mine: ${UPSTREAM_SECRETS.text}\n`;
        res.writeHead(200, { ...common, 'content-type': 'text/plain; charset=utf-8' });
        return res.end(text);
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `no route ${path}` } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
