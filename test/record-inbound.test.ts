/**
 * `tapedeck record DIR --inbound PORT=URL` (issue #12): a real node:http app, which itself calls
 * OpenAI with the official SDK through the same recorder, is driven through its inbound front.
 * The client gets the app's reply; `inbound/` holds the exchange, redacted as call files are, and
 * `calls/` the app's outbound call.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterEach, expect, it } from 'vitest';
import { assertBuilt, startCli } from './support/cli.js';
import { fixtures, startFakeUpstream } from './support/fake-upstream.js';
import { frontUrl, readInbound, startApp } from './support/inbound.js';
import { readCalls, secretsOnDisk } from './support/snapshot-files.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const CLIENT_KEY = 'sk-proj-INBOUNDclient00000000000000000001';
const QUERY_KEY = 'INBOUNDquery-key-0001';
const APP_KEY = 'sk-proj-INBOUNDapp000000000000000000001';

it('records the request to the app and its reply in inbound/, and the app’s LLM call in calls/', async () => {
  assertBuilt();
  const upstream = await startFakeUpstream();
  cleanups.push(() => upstream.close());
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tapedeck-inbound-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));

  // The recorder's URL is known only once it runs; the app reads it when a request comes.
  let recorderUrl = '';
  const app = await startApp((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { question } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        question: string;
      };
      const openai = new OpenAI({
        apiKey: APP_KEY,
        baseURL: `${recorderUrl}/openai/v1`,
        maxRetries: 0,
      });
      openai.chat.completions
        .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] })
        .then((c) => {
          const call = c.choices[0]?.message.tool_calls?.[0];
          const body = JSON.stringify({
            tool: call?.type === 'function' ? call.function.name : null,
            url: req.url,
          });
          res.writeHead(200, { 'content-type': 'application/json', 'x-app': 'weather' });
          res.end(body);
        })
        .catch((e: Error) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(e.message);
        });
    });
  });
  cleanups.push(() => app.close());

  const cli = await startCli([
    'record',
    dir,
    '--port',
    '0',
    '--upstream',
    `openai=${upstream.url}`,
    '--inbound',
    `0=${app.url}`,
  ]);
  cleanups.push(() => cli.stop());
  recorderUrl = cli.url;
  const front = await frontUrl(cli, app.url);

  const r = await fetch(`${front}/ask/weather?api-key=${QUERY_KEY}&city=Paris`, {
    method: 'POST',
    headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ question: 'Weather in Paris?' }),
  });
  expect(r.status).toBe(200);
  expect(r.headers.get('x-app')).toBe('weather');
  const answer = (await r.json()) as { tool: string; url: string };
  const expectedTool = (
    fixtures.openaiChat as {
      choices: Array<{ message: { tool_calls: Array<{ function: { name: string } }> } }>;
    }
  ).choices[0]?.message.tool_calls[0]?.function.name;
  // The app got the path and query as the client sent them.
  expect(answer).toEqual({
    tool: expectedTool,
    url: `/ask/weather?api-key=${QUERY_KEY}&city=Paris`,
  });

  const exit = await cli.stop();
  expect(exit.code, cli.stderr()).toBe(0);

  const inbound = await readInbound(dir);
  expect(inbound.map((e) => e.file)).toEqual(['000001-POST-ask-weather.json']);
  const [ex] = inbound;
  expect(ex?.listen).toBe(new URL(front).port);
  expect(ex?.outcome).toBe('complete');
  expect(ex?.request.method).toBe('POST');
  expect(ex?.request.path).toBe('/ask/weather?api-key=%5BREDACTED%5D&city=Paris');
  expect(ex?.request.headers['authorization']).toBe('[REDACTED]');
  expect(ex?.request.body).toEqual({ question: 'Weather in Paris?' });
  expect(ex?.response.status).toBe(200);
  expect(ex?.response.headers['x-app']).toBe('weather');
  // The app echoed the key in its reply: the detectors take it out of the stored reply too.
  expect(ex?.response.body).toEqual({
    tool: expectedTool,
    url: '/ask/weather?api-key=[REDACTED]&city=Paris',
  });

  const calls = await readCalls(dir);
  expect(calls).toHaveLength(1);
  expect(calls[0]?.upstream).toBe('openai');
  expect(calls[0]?.request.headers['authorization']).toBe('[REDACTED]');

  expect(await secretsOnDisk(dir, [CLIENT_KEY, QUERY_KEY, APP_KEY])).toEqual([]);
  expect(cli.stderr()).toMatch(
    /^inbound #1 \d+ POST \/ask\/weather\?api-key=%5BREDACTED%5D&city=Paris → 200 /m,
  );
});
