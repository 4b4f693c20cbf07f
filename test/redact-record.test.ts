/**
 * Secrets never reach a snapshot, and redacting them does not break replay (issue #8, part 3;
 * reliability S7). The official SDKs record through the built `tapedeck record` against a local
 * upstream, with keys of every shape in prompts, tool arguments, a text body, headers and the
 * query, and the upstream answers with secrets of its own in JSON, streamed events, text and a
 * header. A grep of the whole folder finds none of them. Then `tapedeck mock` gets the same
 * requests carrying *other* keys of the same shapes in the same places, and every one is a hit.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { request } from 'undici';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, startCli, type RunningCli } from './support/cli.js';
import { UPSTREAM_SECRETS, startSecretUpstream } from './support/secret-upstream.js';
import { listFiles, readCalls, secretsOnDisk } from './support/snapshot-files.js';

/** One set of secrets, every shape the issue lists, each carrying `tag` so a grep can find it. */
function secretsFor(tag: 'RECORD' | 'REPLAY') {
  const t = tag === 'RECORD' ? 'RECORDa' : 'REPLAYb';
  const T = t.toUpperCase();
  return {
    tag: t,
    // OpenAI-family key in a user prompt, plus an SSN (a `redact.patterns` rule)
    openaiPrompt: `sk-proj-${t}Prompt0000000000000000000001`,
    ssn: tag === 'RECORD' ? '123-45-6789' : '987-65-4321',
    // PII in the system prompt, redacted by `--redact-body-path $.messages[0].content`
    email: `${t}.customer@example.com`,
    // keys inside a tool call's arguments and in a tool result
    toolArg: `xai-${t}ToolArgument000000000000001`,
    toolResult: `ghs_${t}ToolResult0000000000000000000001`,
    // Anthropic: a key in a tool_result, a credential-named field and an AWS key id in tool_use
    anthropicKey: `sk-ant-api03-${t}Claude00000000000000000001`,
    password: `${t}-pass-word`,
    awsKeyId: `AKIA${T.slice(0, 6)}0000000001`,
    // a customer name in the Anthropic system prompt, redacted by `redact.paths` ["$.system"]
    customer: `${t} Customerson`,
    // Gemini: a Google key in the prompt
    geminiKey: `AIza${t}Gemini0000000000000000000001`, // AIza + exactly 35
    // a streamed request's prompt
    streamKey: `sk-svcacct-${t}Stream000000000000000001`,
    // a text body: a bearer token and a Slack token
    bearer: `${t}.bearer-token-0001`,
    slack: `xoxb-2222222222-${t}Slack-0001`,
    // headers and query parameters by name
    ocp: `${t}-ocp-subscription`,
    xAuth: `${t}-x-auth`,
    xAccess: `${t}-x-access`,
    accessToken: `${t}-access-token`,
    code: `${t}-oauth-code`,
  };
}
type Secrets = ReturnType<typeof secretsFor>;

const RECORD = secretsFor('RECORD');
const REPLAY = secretsFor('REPLAY');

/** The distinctive value of every secret, as grep needles (the shape prefixes alone are not). */
function needles(s: Secrets): string[] {
  return Object.entries(s)
    .filter(([k]) => k !== 'tag')
    .map(([, v]) => v);
}

interface Hit {
  name: string;
  call: string | null;
}

/** Every request the app makes, through the SDKs (and one plain text POST); returns hit ids. */
async function runApp(base: string, s: Secrets): Promise<{ hits: Hit[]; seen: string[] }> {
  const seen: string[] = [];
  const hits: Hit[] = [];
  const openai = new OpenAI({
    apiKey: 'sk-proj-HEADERkey000000000000000001',
    baseURL: `${base}/openai/v1`,
    maxRetries: 0,
    defaultHeaders: {
      'ocp-apim-subscription-key': s.ocp,
      'x-auth': s.xAuth,
      'x-access-key': s.xAccess,
    },
    defaultQuery: { access_token: s.accessToken, code: s.code },
  });
  const chat = await openai.chat.completions
    .create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: `You help the customer ${s.email}.` },
        { role: 'user', content: `My key is ${s.openaiPrompt} and my SSN is ${s.ssn}. Store it.` },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'store', arguments: JSON.stringify({ key: s.toolArg }) },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: `stored; deploy token ${s.toolResult}` },
      ],
    })
    .withResponse();
  hits.push({ name: 'openai chat', call: chat.response.headers.get('x-tapedeck-call') });
  seen.push(chat.data.choices[0]?.message.content ?? '');
  const toolCall = chat.data.choices[0]?.message.tool_calls?.[0];
  seen.push(toolCall?.type === 'function' ? toolCall.function.arguments : '');

  const streamed = await openai.chat.completions
    .create({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [
        { role: 'system', content: `You help the customer ${s.email}.` },
        { role: 'user', content: `Rotate ${s.streamKey} please.` },
      ],
    })
    .withResponse();
  hits.push({ name: 'openai stream', call: streamed.response.headers.get('x-tapedeck-call') });
  let text = '';
  for await (const chunk of streamed.data) text += chunk.choices[0]?.delta.content ?? '';
  seen.push(text);

  const anthropic = new Anthropic({
    apiKey: 'sk-ant-api03-HEADERkey0000000000000001',
    baseURL: `${base}/anthropic`,
    maxRetries: 0,
  });
  const message = await anthropic.messages
    .create({
      model: 'claude-sonnet-4-5-20250929',
      max_tokens: 256,
      system: `The customer is ${s.customer}.`,
      messages: [
        { role: 'user', content: 'Log in to the console for me.' },
        {
          role: 'assistant',
          content: [
            {
              type: 'tool_use',
              id: 'toolu_01A',
              name: 'login',
              input: { user: 'admin', password: s.password, aws_key_id: s.awsKeyId },
            },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_01A', content: `ok, key ${s.anthropicKey}` },
          ],
        },
      ],
    })
    .withResponse();
  hits.push({ name: 'anthropic', call: message.response.headers.get('x-tapedeck-call') });
  const first = message.data.content[0];
  seen.push(first?.type === 'text' ? first.text : '');

  const gemini = new GoogleGenAI({
    apiKey: 'AIzaHEADERkey00000000000000000000000001',
    vertexai: false,
    httpOptions: { baseUrl: `${base}/gemini` },
  });
  const generated = await gemini.models.generateContent({
    model: 'gemini-2.5-flash',
    contents: `Is ${s.geminiKey} a valid key?`,
  });
  hits.push({
    name: 'gemini',
    call: generated.sdkHttpResponse?.headers?.['x-tapedeck-call'] ?? null,
  });
  seen.push(generated.text ?? '');

  const echo = await request(`${base}/openai/v1/echo`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: `curl -H "Authorization: Bearer ${s.bearer}" and slack ${s.slack}\n`,
  });
  const call = echo.headers['x-tapedeck-call'];
  hits.push({ name: 'text body', call: typeof call === 'string' ? call : null });
  seen.push(await echo.body.text());
  return { hits, seen };
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function started(args: string[]): Promise<RunningCli> {
  const cli = await startCli(args);
  let stopped = false;
  cleanups.push(async () => {
    if (!stopped) await cli.stop();
  });
  return {
    ...cli,
    stop: async () => {
      stopped = true;
      return cli.stop();
    },
  };
}

describe('secrets in bodies, headers and the query never reach disk; replay still matches', () => {
  beforeAll(() => assertBuilt());

  it('records through `tapedeck record` with real SDKs, then replays other keys through `tapedeck mock`', async () => {
    const upstream = await startSecretUpstream();
    cleanups.push(() => upstream.close());
    const dir = await mkdtemp(path.join(tmpdir(), 'tapedeck-redact-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(
      path.join(dir, 'tapedeck.json'),
      JSON.stringify({
        format: 'tapedeck/1',
        redact: { paths: ['$.system'], patterns: ['\\b\\d{3}-\\d{2}-\\d{4}\\b'] },
      }),
    );

    const recorder = await started([
      'record',
      dir,
      '--port',
      '0',
      '--upstream',
      `openai=${upstream.url}`,
      '--upstream',
      `anthropic=${upstream.url}`,
      '--upstream',
      `gemini=${upstream.url}`,
      '--redact-body-path',
      '$.messages[0].content',
    ]);
    const recorded = await runApp(recorder.url, RECORD);
    expect((await recorder.stop()).code).toBe(0);

    // The recorder only changes what it writes: the upstream saw every real value, and the app
    // got the upstream's real replies.
    const sent = upstream.requests.map((r) => `${r.url}\n${JSON.stringify(r.headers)}\n${r.body}`);
    for (const secret of needles(RECORD))
      expect(
        sent.some((r) => r.includes(secret)),
        secret,
      ).toBe(true);
    expect(recorded.seen.join('\n')).toContain(UPSTREAM_SECRETS.reply);
    expect(recorded.seen.join('\n')).toContain(UPSTREAM_SECRETS.streamed);

    // S7: not one of them anywhere in the folder.
    const files = await listFiles(dir);
    expect(files.filter((f) => f.includes(`${path.sep}calls${path.sep}`))).toHaveLength(5);
    expect(
      await secretsOnDisk(dir, [...needles(RECORD), ...Object.values(UPSTREAM_SECRETS)]),
    ).toEqual([]);

    // What is kept: ids are not keys, usage counts and rate-limit headers are not secrets.
    const calls = await readCalls(dir);
    const text = (await Promise.all(files.map((f) => readFile(f, 'utf8')))).join('\n');
    for (const id of ['chatcmpl-TDKabcdefghijklmnopqrstuvwxyz01', 'msg_01TDKabcdefghijklmnopq'])
      expect(text).toContain(id);
    expect(text).toContain('toolu_01TDKabcdefghijklmnopq');
    const chat = calls.find((c) => c.api === 'chat.completions' && !c.response.stream);
    expect(chat?.response.headers['num_tokens']).toBe('42');
    expect(chat?.response.headers['x-ratelimit-remaining-tokens']).toBe('199750');
    expect(chat?.response.headers['x-auth']).toBe('[REDACTED]');
    expect(chat?.request.headers['ocp-apim-subscription-key']).toBe('[REDACTED]');
    expect(chat?.request.url).toContain('access_token=%5BREDACTED%5D');
    expect(chat?.request.url).toContain('code=%5BREDACTED%5D');
    // The redacted prompt still reads as a prompt.
    expect(JSON.stringify(chat?.request.body)).toContain(
      'My key is [REDACTED] and my SSN is [REDACTED]. Store it.',
    );

    const mock = await started(['mock', dir, '--port', '0', '--timing', 'instant']);
    const replayed = await runApp(mock.url, REPLAY);
    const ids = new Set(calls.map((c) => c.id));
    for (const hit of replayed.hits) {
      expect(hit.call, `${hit.name} was not a hit`).not.toBeNull();
      expect(ids.has(hit.call ?? ''), hit.name).toBe(true);
    }
    // Each request found its own recording, not just any.
    expect(new Set(replayed.hits.map((h) => h.call)).size).toBe(5);
    const stats = await request(`${mock.url}/__tapedeck/stats`);
    const body = (await stats.body.json()) as { unmatched: number };
    expect(body.unmatched).toBe(0);
    // The replay serves the redacted reply: the marker stands where the upstream's key was.
    expect(replayed.seen[0]).toBe('Your new key is [REDACTED].');
    expect((await mock.stop()).code).toBe(0);
    expect(upstream.requests).toHaveLength(5);
    expect(await secretsOnDisk(dir, [...needles(RECORD), ...needles(REPLAY)])).toEqual([]);
  });
});
