/**
 * Amazon Bedrock Converse end to end with the official AWS SDK: the SDK records through Tapedeck
 * against a local fake Bedrock (JSON replies, binary event-stream frames, tool use, a throttling
 * error), then replays from the mock and gets the same text, usage, stop reason, tool use and
 * stream events, byte for byte; faults reach the SDK as the exceptions it raises for the real ones.
 */
import { readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  type ConverseStreamOutput,
  type Message,
  type Tool,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockServer } from '../proxy/mock-server.js';
import { startRecordServer } from '../proxy/record-server.js';
import type { Fault } from '../shared/schema.js';
import { MODEL_ARN, MODEL_ID, STREAM_EVENTS } from './support/bedrock-wire.js';
import { startBedrockUpstream, type BedrockUpstream } from './support/bedrock-upstream.js';
import { readCalls, secretsOnDisk } from './support/snapshot-files.js';

const RECORD_CREDENTIALS = {
  accessKeyId: 'AKIAIOSFODNN7RECORD1',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYRECORDKEY',
  sessionToken: 'FwoGZXIvYXdzEJr//////////wEaDRECORDSESSIONTOKEN0001',
};
const REPLAY_CREDENTIALS = {
  accessKeyId: 'AKIAIOSFODNN7REPLAY2',
  secretAccessKey: 'replaySecretAccessKeyThatIsDifferent000',
};
const quiet = (): void => undefined;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function client(base: string, credentials: typeof REPLAY_CREDENTIALS): BedrockRuntimeClient {
  const c = new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: `${base}/bedrock`,
    credentials,
    // The Bedrock Runtime client speaks HTTP/2 by default; Tapedeck serves HTTP/1.1.
    requestHandler: new NodeHttpHandler(),
    // One attempt: a retried throttle would hide which reply the SDK saw.
    maxAttempts: 1,
  });
  cleanups.push(async () => c.destroy());
  return c;
}

const tools: Tool[] = [
  {
    toolSpec: {
      name: 'get_weather',
      description: 'Current weather for a city',
      inputSchema: {
        json: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
    },
  },
];
const ask = (text: string): Message[] => [{ role: 'user', content: [{ text }] }];

interface StreamResult {
  events: string[];
  text: string;
  toolInput: string;
  toolName: string | undefined;
  stopReason: string | undefined;
  usage: unknown;
}

async function converseStream(c: BedrockRuntimeClient, prompt: string): Promise<StreamResult> {
  const out = await c.send(
    new ConverseStreamCommand({ modelId: MODEL_ARN, messages: ask(prompt), toolConfig: { tools } }),
  );
  const r: StreamResult = {
    events: [],
    text: '',
    toolInput: '',
    toolName: undefined,
    stopReason: undefined,
    usage: undefined,
  };
  for await (const e of out.stream as AsyncIterable<ConverseStreamOutput>) {
    const [name] = Object.keys(e).filter((k) => k !== '$unknown');
    r.events.push(name ?? '?');
    r.text += e.contentBlockDelta?.delta?.text ?? '';
    r.toolInput += e.contentBlockDelta?.delta?.toolUse?.input ?? '';
    r.toolName ??= e.contentBlockStart?.start?.toolUse?.name;
    r.stopReason ??= e.messageStop?.stopReason;
    if (e.metadata) r.usage = e.metadata.usage;
  }
  return r;
}

async function converse(c: BedrockRuntimeClient, prompt: string) {
  const out = await c.send(
    new ConverseCommand({ modelId: MODEL_ID, messages: ask(prompt), toolConfig: { tools } }),
  );
  return {
    content: out.output?.message?.content,
    stopReason: out.stopReason,
    usage: out.usage,
  };
}

async function errorOf(
  p: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to fail');
}

interface Recorded {
  dir: string;
  upstream: BedrockUpstream;
}

/** Records the four calls through `tapedeck record` against the fake Bedrock. */
async function record(): Promise<Recorded & { results: Record<string, unknown> }> {
  const upstream = await startBedrockUpstream();
  cleanups.push(() => upstream.close());
  const dir = await mkdtemp(path.join(tmpdir(), 'tapedeck-bedrock-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const recorder = await startRecordServer({
    dir,
    port: 0,
    upstreams: { bedrock: upstream.url },
    log: quiet,
  });
  const results: Record<string, unknown> = {};
  try {
    const c = client(recorder.url, RECORD_CREDENTIALS);
    results['text'] = await converse(c, 'What is the capital of France?');
    results['tool'] = await converse(c, 'What is the weather in Paris?');
    results['stream'] = await converseStream(c, 'What is the weather in Paris?');
    const throttled = await errorOf(converse(c, 'THROTTLE me'));
    results['throttled'] = [throttled.name, throttled.$metadata?.httpStatusCode];
  } finally {
    await recorder.close();
  }
  return { dir, upstream, results };
}

async function mock(dir: string, faults: Fault[] = []) {
  if (faults.length > 0) {
    const file = path.join(dir, 'tapedeck.json');
    const manifest = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    await writeFile(file, JSON.stringify({ ...manifest, faults }, null, 2));
  }
  const server = await startMockServer({
    dir,
    port: 0,
    timing: { mode: 'instant' },
    watch: false,
    log: quiet,
  });
  cleanups.push(() => server.close());
  return server;
}

describe('Bedrock Converse: AWS SDK → record → snapshot → mock → AWS SDK', () => {
  it('records provider, model, usage and streams, and no credential reaches disk', async () => {
    const { dir, upstream, results } = await record();
    expect(results['throttled']).toEqual(['ThrottlingException', 429]);
    // The recorder passes the SDK's own signature on; it only redacts what it writes.
    expect(upstream.requests[0]?.headers['authorization']).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7RECORD1\//,
    );
    expect(upstream.requests[0]?.path).toBe(
      '/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse',
    );

    const calls = await readCalls(dir);
    expect(calls.map((c) => [c.provider, c.api, c.model, c.response.status])).toEqual([
      ['bedrock', 'converse', MODEL_ID, 200],
      ['bedrock', 'converse', MODEL_ID, 200],
      ['bedrock', 'converse-stream', MODEL_ARN, 200],
      ['bedrock', 'converse', MODEL_ID, 429],
    ]);
    expect(calls[0]?.usage).toEqual({
      inputTokens: 18 + 1024,
      outputTokens: 9,
      cacheReadTokens: 1024,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      source: 'provider',
    });
    const stream = calls[2]?.response.stream ?? [];
    expect(stream.map((e) => [e.event, e.data])).toEqual(
      STREAM_EVENTS.map((e) => [e.type, JSON.stringify(e.payload)]),
    );
    // Standard Bedrock frames need nothing beyond event + data to come back byte for byte.
    expect(stream.every((e) => e.headersBase64 === undefined && e.dataBase64 === undefined)).toBe(
      true,
    );
    expect(stream.map((e) => e.at)).toEqual([...stream.map((e) => e.at)].sort((a, b) => a - b));
    expect(calls[2]?.usage).toMatchObject({ inputTokens: 402, outputTokens: 61 });
    // Priced from the bundled table (provider aws), the inference-profile ARN included.
    expect([calls[0]?.costSource, calls[2]?.costSource]).toEqual(['price-table', 'price-table']);

    const request = calls[0]?.request;
    expect(request?.headers['authorization']).toBe('[REDACTED]');
    expect(request?.headers['x-amz-security-token']).toBe('[REDACTED]');
    // Credentials never take part in matching, nor do the per-request signing headers.
    expect(JSON.stringify(calls[0]?.signature)).not.toMatch(/x-amz|authorization/i);
    expect(
      await secretsOnDisk(dir, [
        RECORD_CREDENTIALS.accessKeyId,
        RECORD_CREDENTIALS.secretAccessKey,
        RECORD_CREDENTIALS.sessionToken,
        'RECORDSESSIONTOKEN',
      ]),
    ).toEqual([]);
  });

  it('replays the same text, usage, stop reason, tool use and stream, byte for byte', async () => {
    const { dir, upstream, results } = await record();
    const server = await mock(dir);
    const c = client(server.url, REPLAY_CREDENTIALS);
    expect(await converse(c, 'What is the capital of France?')).toEqual(results['text']);
    const tool = await converse(c, 'What is the weather in Paris?');
    expect(tool).toEqual(results['tool']);
    expect(tool.stopReason).toBe('tool_use');
    expect(tool.content?.[1]?.toolUse).toEqual({
      input: { city: 'Paris', unit: 'celsius' },
      name: 'get_weather',
      toolUseId: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q',
    });
    const streamed = await converseStream(c, 'What is the weather in Paris?');
    expect(streamed).toEqual(results['stream']);
    expect(streamed).toMatchObject({
      text: 'Checking the weather.',
      toolName: 'get_weather',
      toolInput: '{"city": "Paris"}',
      stopReason: 'tool_use',
      usage: { inputTokens: 402, outputTokens: 61, totalTokens: 463 },
    });
    const throttled = await errorOf(converse(c, 'THROTTLE me'));
    expect([throttled.name, throttled.$metadata?.httpStatusCode]).toEqual([
      'ThrottlingException',
      429,
    ]);
    expect(upstream.requests).toHaveLength(4);

    // The replayed stream is the upstream's bytes exactly.
    const body = JSON.stringify({
      messages: ask('What is the weather in Paris?'),
      toolConfig: { tools },
    });
    const raw = await request(
      `${server.url}/bedrock/model/${encodeURIComponent(MODEL_ARN)}/converse-stream`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      },
    );
    expect(raw.statusCode).toBe(200);
    expect(raw.headers['content-type']).toBe('application/vnd.amazon.eventstream');
    const replayed = Buffer.from(await raw.body.arrayBuffer());
    expect(replayed.equals(upstream.streamed[0] as Buffer)).toBe(true);
  });

  it('a rateLimit fault makes the SDK throw ThrottlingException', async () => {
    const { dir } = await record();
    const server = await mock(dir, [{ kind: 'rateLimit', scope: { upstream: 'bedrock' } }]);
    const c = client(server.url, REPLAY_CREDENTIALS);
    const e = await errorOf(converse(c, 'What is the capital of France?'));
    expect(e.name).toBe('ThrottlingException');
    expect(e.$metadata?.httpStatusCode).toBe(429);
    expect(e.message).toContain('injected by Tapedeck');
    const s = await errorOf(converseStream(c, 'What is the weather in Paris?'));
    expect(s.name).toBe('ThrottlingException');
  });

  it('a serverError fault raises ServiceUnavailableException and InternalServerException', async () => {
    const { dir } = await record();
    const unavailable = await mock(dir, [{ kind: 'serverError', status: 503 }]);
    const e503 = await errorOf(
      converse(client(unavailable.url, REPLAY_CREDENTIALS), 'What is the capital of France?'),
    );
    expect([e503.name, e503.$metadata?.httpStatusCode]).toEqual([
      'ServiceUnavailableException',
      503,
    ]);
    const internal = await mock(dir, [{ kind: 'serverError', status: 500 }]);
    const e500 = await errorOf(
      converse(client(internal.url, REPLAY_CREDENTIALS), 'What is the capital of France?'),
    );
    expect([e500.name, e500.$metadata?.httpStatusCode]).toEqual(['InternalServerException', 500]);
  });

  it('a miss is a ResourceNotFoundException naming the closest call', async () => {
    const { dir } = await record();
    const server = await mock(dir);
    const e = await errorOf(
      converse(client(server.url, REPLAY_CREDENTIALS), 'Something never recorded'),
    );
    expect([e.name, e.$metadata?.httpStatusCode]).toEqual(['ResourceNotFoundException', 404]);
    expect(e.message).toContain('no recorded call matches');
  });

  it('a cutStream fault makes the SDK stream fail after the events it got', async () => {
    const { dir } = await record();
    const server = await mock(dir, [{ kind: 'cutStream', afterEvents: 3 }]);
    const c = client(server.url, REPLAY_CREDENTIALS);
    const seen: string[] = [];
    const e = await errorOf(
      (async () => {
        const out = await c.send(
          new ConverseStreamCommand({
            modelId: MODEL_ARN,
            messages: ask('What is the weather in Paris?'),
            toolConfig: { tools },
          }),
        );
        for await (const ev of out.stream as AsyncIterable<ConverseStreamOutput>)
          seen.push(Object.keys(ev)[0] ?? '?');
      })(),
    );
    expect(seen).toEqual(['messageStart', 'contentBlockDelta', 'contentBlockDelta']);
    expect(e).toBeInstanceOf(Error);
  });

  it('a malformed fault breaks one frame payload; the frames around it stay valid', async () => {
    const { dir } = await record();
    const server = await mock(dir, [
      { kind: 'malformed', mode: 'invalidJson', scope: { path: '*/converse-stream' } },
    ]);
    const seen: string[] = [];
    const e = await errorOf(
      (async () => {
        const out = await client(server.url, REPLAY_CREDENTIALS).send(
          new ConverseStreamCommand({
            modelId: MODEL_ARN,
            messages: ask('What is the weather in Paris?'),
            toolConfig: { tools },
          }),
        );
        for await (const ev of out.stream as AsyncIterable<ConverseStreamOutput>)
          seen.push(Object.keys(ev)[0] ?? '?');
      })(),
    );
    // The middle event's JSON got a trailing comma: the frames before it decoded (their CRCs and
    // framing are right), and the SDK failed on the JSON inside the next one.
    expect(seen).toEqual(STREAM_EVENTS.slice(0, 5).map((ev) => ev.type));
    expect(e.name).toBe('SyntaxError');
  });

  it('latency and hang faults pace the frames without changing them', async () => {
    const { dir, results } = await record();
    const server = await mock(dir, [
      { kind: 'latency', perEvent: { fixed: 5 }, scope: { path: '*/converse-stream' } },
      { kind: 'hang', afterEvents: 2, ms: 30, scope: { path: '*/converse-stream' } },
    ]);
    const c = client(server.url, REPLAY_CREDENTIALS);
    expect(await converseStream(c, 'What is the weather in Paris?')).toEqual(results['stream']);
  });

  it('an exception frame in the stream is recorded and replayed as the SDK exception', async () => {
    const upstream = await startBedrockUpstream();
    cleanups.push(() => upstream.close());
    const dir = await mkdtemp(path.join(tmpdir(), 'tapedeck-bedrock-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const recorder = await startRecordServer({
      dir,
      port: 0,
      upstreams: { bedrock: upstream.url },
      log: quiet,
    });
    const live = await errorOf(
      converseStream(client(recorder.url, RECORD_CREDENTIALS), 'STREAM_ERROR'),
    );
    await recorder.close();
    expect(live.name).toBe('ModelStreamErrorException');
    const [call] = await readCalls(dir);
    expect(call?.response.stream?.at(-1)).toMatchObject({
      event: 'exception:modelStreamErrorException',
      data: '{"message":"The model stream failed.","originalStatusCode":500}',
    });
    const server = await mock(dir);
    const replayed = await errorOf(
      converseStream(client(server.url, REPLAY_CREDENTIALS), 'STREAM_ERROR'),
    );
    expect([replayed.name, replayed.message]).toEqual([live.name, live.message]);
  });

  it('a Bedrock API key (bearer token) is forwarded as sent and never written', async () => {
    const upstream = await startBedrockUpstream();
    cleanups.push(() => upstream.close());
    const dir = await mkdtemp(path.join(tmpdir(), 'tapedeck-bedrock-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const recorder = await startRecordServer({
      dir,
      port: 0,
      upstreams: { bedrock: upstream.url },
      log: quiet,
    });
    const apiKey = 'ABSKQmVkcm9ja0FQSUtleS1yZWNvcmQtMDAwMTIzNDU2Nzg5';
    const c = new BedrockRuntimeClient({
      region: 'us-east-1',
      endpoint: `${recorder.url}/bedrock`,
      requestHandler: new NodeHttpHandler(),
      token: { token: apiKey },
      authSchemePreference: ['httpBearerAuth'],
      maxAttempts: 1,
    });
    cleanups.push(async () => c.destroy());
    const out = await converse(c, 'What is the capital of France?');
    await recorder.close();
    expect(out.stopReason).toBe('end_turn');
    expect(upstream.requests[0]?.headers['authorization']).toBe(`Bearer ${apiKey}`);
    expect(await secretsOnDisk(dir, [apiKey, apiKey.slice(8)])).toEqual([]);
  });

  it('a stream whose frames do not decode is kept as raw bytes and replayed as they came', async () => {
    const upstream = await startBedrockUpstream();
    cleanups.push(() => upstream.close());
    const dir = await mkdtemp(path.join(tmpdir(), 'tapedeck-bedrock-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const recorder = await startRecordServer({
      dir,
      port: 0,
      upstreams: { bedrock: upstream.url },
      log: quiet,
    });
    // A client that reads to the end (the SDK would hang up at the bad checksum).
    const body = JSON.stringify({ messages: ask('CORRUPT'), toolConfig: { tools } });
    const url = `/bedrock/model/${encodeURIComponent(MODEL_ARN)}/converse-stream`;
    const whole = await request(`${recorder.url}${url}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    await whole.body.arrayBuffer();
    await recorder.close();
    const [call] = await readCalls(dir);
    expect(call?.outcome).toBe('complete');
    expect(call?.response.stream).toBeUndefined();
    const stored = call?.response.bodyBase64 ?? call?.response.bodyText;
    expect(stored).toBeDefined();
    const server = await mock(dir);
    const raw = await request(`${server.url}${url}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(Buffer.from(await raw.body.arrayBuffer()).equals(upstream.streamed[0] as Buffer)).toBe(
      true,
    );
  });
});
