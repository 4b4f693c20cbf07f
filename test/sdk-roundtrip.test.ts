/**
 * The user's path end to end: an official SDK records through Tapedeck against a provider (the
 * local fake upstream), the snapshot lands on disk, and the same SDK replays it from the mock with
 * another key and gets an equal result.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import OpenAI from 'openai';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { routeOfCall } from '../shared/adapters/registry.js';
import { startMockServer } from '../proxy/mock-server.js';
import { startRecordServer } from '../proxy/record-server.js';
import { assertBuilt, runCli, startCli, type RunningCli } from './support/cli.js';
import { fixtures, startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js';
import { credentialOf, scenarios } from './support/sdk-scenarios.js';
import { readCalls, secretsOnDisk } from './support/snapshot-files.js';
import { parseSse } from './support/sse.js';

const RECORD_KEY = 'sk-test-SECRET123';
const REPLAY_KEY = 'sk-replay-OTHER456';
const quiet = (): void => undefined;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tapedeck-roundtrip-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function fakeUpstream(): Promise<FakeUpstream> {
  const upstream = await startFakeUpstream({ eventDelayMs: 10 });
  cleanups.push(() => upstream.close());
  return upstream;
}

describe('SDK → record → snapshot → mock → SDK', () => {
  for (const scenario of scenarios) {
    it(scenario.name, async () => {
      const upstream = await fakeUpstream();
      const dir = await tempDir();

      const recorder = await startRecordServer({
        dir,
        port: 0,
        upstreams: { [scenario.upstream]: upstream.url },
        log: quiet,
      });
      let recorded;
      try {
        recorded = await scenario.run(`${recorder.url}/${scenario.upstream}`, RECORD_KEY);
      } finally {
        await recorder.close();
      }
      expect(recorded.text).toBe(scenario.text);
      expect(recorded.toolCalls).toEqual(scenario.toolCalls);

      // The recorder forwards the caller's credentials; it only redacts what it writes.
      expect(upstream.requests).toHaveLength(1);
      const cred = credentialOf(scenario.upstream, RECORD_KEY);
      expect(upstream.requests[0]?.headers[cred.header]).toBe(cred.value);

      const calls = await readCalls(dir);
      expect(calls).toHaveLength(1);
      const call = calls[0]!;
      expect(call.upstream).toBe(scenario.upstream);
      expect(call.provider).toBe(scenario.provider);
      expect(scenario.apis).toContain(call.api);
      // The route is stored once at record time, and is what the path would have given.
      expect(call.route).toEqual(routeOfCall({ ...call, route: undefined }));
      expect(scenario.models).toContain(call.model);
      expect(call.outcome).toBe('complete');
      expect(call.response.status).toBe(200);
      expect(call.usage).toEqual({ ...scenario.usage, source: 'provider' });
      if (scenario.stream) {
        const stream = call.response.stream ?? [];
        expect(stream.length).toBeGreaterThan(2);
        // Events are 10 ms apart upstream: the stored arrival times must be real arrival times.
        // On a loaded machine several events can arrive in one read and share a time, so what
        // must show is order and at least one whole gap, not the full spread.
        const times = stream.map((e) => e.at);
        expect(times).toEqual([...times].sort((a, b) => a - b));
        expect((times.at(-1) ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(9);
      } else {
        expect(call.response.stream).toBeUndefined();
        expect(call.response.body).toBeDefined();
      }
      expect(await secretsOnDisk(dir, ['SECRET123'])).toEqual([]);

      const mock = await startMockServer({ dir, port: 0, timing: { mode: 'instant' }, log: quiet });
      let replayed;
      try {
        replayed = await scenario.run(`${mock.url}/${scenario.upstream}`, REPLAY_KEY);
        expect(mock.unmatched).toBe(0);
        expect(mock.loadErrors).toEqual([]);
      } finally {
        await mock.close();
      }
      expect(replayed.value).toEqual(recorded.value);
      expect(replayed.text).toBe(recorded.text);
      expect(replayed.toolCalls).toEqual(recorded.toolCalls);
      expect(upstream.requests).toHaveLength(1);
      expect(await secretsOnDisk(dir, ['SECRET123', 'OTHER456'])).toEqual([]);
    });
  }
});

function decoded(raw: Buffer, encoding: string | string[] | undefined): string {
  if (encoding === 'gzip') return zlib.gunzipSync(raw).toString('utf8');
  if (encoding === 'br') return zlib.brotliDecompressSync(raw).toString('utf8');
  if (encoding === 'deflate') return zlib.inflateSync(raw).toString('utf8');
  if (encoding !== undefined) throw new Error(`unexpected content-encoding ${String(encoding)}`);
  return raw.toString('utf8');
}

async function post(url: string, body: unknown, headers: Record<string, string>) {
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const raw = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, headers: res.headers, raw };
}

describe('compressed upstream replies', () => {
  for (const encoding of ['gzip', 'br', 'deflate'] as const) {
    it(`a ${encoding} JSON reply is stored decoded and replayed without content-encoding`, async () => {
      const upstream = await fakeUpstream();
      const dir = await tempDir();
      const recorder = await startRecordServer({
        dir,
        port: 0,
        upstreams: { openai: upstream.url },
        log: quiet,
      });
      const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
      const headers = { authorization: `Bearer ${RECORD_KEY}`, 'x-fake-encoding': encoding };
      try {
        const live = await post(`${recorder.url}/openai/v1/chat/completions`, body, headers);
        expect(live.status).toBe(200);
        expect(JSON.parse(decoded(live.raw, live.headers['content-encoding']))).toEqual(
          fixtures.openaiChat,
        );
      } finally {
        await recorder.close();
      }
      expect(upstream.requests[0]?.headers['x-fake-encoding']).toBe(encoding);

      const [call] = await readCalls(dir);
      expect(call?.response.body).toEqual(fixtures.openaiChat);
      expect(call?.response.headers['content-encoding']).toBeUndefined();
      expect(call?.usage).toMatchObject({
        inputTokens: 1200,
        outputTokens: 18,
        source: 'provider',
      });

      const mock = await startMockServer({ dir, port: 0, timing: { mode: 'instant' }, log: quiet });
      try {
        const replay = await post(`${mock.url}/openai/v1/chat/completions`, body, {
          authorization: `Bearer ${REPLAY_KEY}`,
        });
        expect(replay.status).toBe(200);
        expect(replay.headers['content-encoding']).toBeUndefined();
        expect(replay.headers['x-tapedeck-call']).toBe(call?.id);
        expect(JSON.parse(replay.raw.toString('utf8'))).toEqual(fixtures.openaiChat);
      } finally {
        await mock.close();
      }
    });
  }

  it('a gzip SSE stream is stored as decoded events and replayed as plain SSE', async () => {
    const upstream = await fakeUpstream();
    const dir = await tempDir();
    const recorder = await startRecordServer({
      dir,
      port: 0,
      upstreams: { openai: upstream.url },
      log: quiet,
    });
    const body = { model: 'gpt-4.1-mini', input: 'hi', stream: true };
    const expected = fixtures.openaiResponsesStream.events.map((e) => ({
      event: String(e['type']),
      data: JSON.stringify(e),
    }));
    try {
      const live = await post(`${recorder.url}/openai/v1/responses`, body, {
        authorization: `Bearer ${RECORD_KEY}`,
        'x-fake-encoding': 'gzip',
      });
      expect(parseSse(decoded(live.raw, live.headers['content-encoding']))).toEqual(expected);
    } finally {
      await recorder.close();
    }
    const [call] = await readCalls(dir);
    expect(call?.response.headers['content-encoding']).toBeUndefined();
    expect(call?.response.stream?.map((e) => ({ event: e.event, data: e.data }))).toEqual(expected);
    expect(call?.usage).toMatchObject({ inputTokens: 90, outputTokens: 30, source: 'provider' });

    const mock = await startMockServer({ dir, port: 0, timing: { mode: 'instant' }, log: quiet });
    try {
      const replay = await post(`${mock.url}/openai/v1/responses`, body, {
        authorization: `Bearer ${REPLAY_KEY}`,
      });
      expect(replay.headers['content-encoding']).toBeUndefined();
      expect(parseSse(replay.raw.toString('utf8'))).toEqual(expected);
    } finally {
      await mock.close();
    }
  });
});

describe('the README path through the built CLI', () => {
  it('record → inspect --json → mock, with the openai SDK', async () => {
    assertBuilt();
    const upstream = await fakeUpstream();
    const dir = await tempDir();
    const scenario = scenarios.find((s) => s.upstream === 'openai' && !s.stream);
    if (!scenario) throw new Error('the openai chat scenario is missing');

    const running: RunningCli[] = [];
    cleanups.push(async () => {
      for (const cli of running) if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    });

    const recorder = await startCli([
      'record',
      dir,
      '--port',
      '0',
      '--upstream',
      `openai=${upstream.url}`,
    ]);
    running.push(recorder);
    expect(recorder.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(recorder.url).not.toMatch(/:0$/);
    const recorded = await scenario.run(`${recorder.url}/openai`, RECORD_KEY);
    // Ctrl-C straight after the app's last call: the call file in progress must still be written.
    expect(await recorder.stop()).toEqual({ code: 0, signal: null });
    expect(recorded.toolCalls).toEqual(scenario.toolCalls);
    expect(upstream.requests[0]?.headers['authorization']).toBe(`Bearer ${RECORD_KEY}`);

    const inspected = await runCli(['inspect', dir, '--json']);
    expect(inspected.code, inspected.stderr).toBe(0);
    const report = JSON.parse(inspected.stdout) as {
      calls: Record<string, unknown>[];
      totals: Record<string, unknown>;
    };
    expect(report.calls).toHaveLength(1);
    expect(report.calls[0]).toMatchObject({
      seq: 1,
      upstream: 'openai',
      provider: 'openai',
      api: 'chat.completions',
      method: 'POST',
      path: '/v1/chat/completions',
      status: 200,
      outcome: 'complete',
      stream: false,
      inputTokens: 1200,
      outputTokens: 18,
      cacheReadTokens: 1024,
      usageSource: 'provider',
    });
    expect(scenario.models).toContain(report.calls[0]?.['model']);
    expect(report.totals).toMatchObject({ calls: 1, inputTokens: 1200, outputTokens: 18 });

    const mock = await startCli(['mock', dir, '--port', '0', '--timing', 'instant']);
    running.push(mock);
    const replayed = await scenario.run(`${mock.url}/openai`, REPLAY_KEY);
    expect(await mock.stop()).toEqual({ code: 0, signal: null });
    expect(replayed.value).toEqual(recorded.value);
    expect(upstream.requests).toHaveLength(1);
    expect(await secretsOnDisk(dir, ['SECRET123', 'OTHER456'])).toEqual([]);
  });

  it('maps /openai/v1/chat/completions onto the upstream /v1/chat/completions', async () => {
    // Guards the URL scheme the README documents: the SDK keeps the path prefix of its base URL.
    const upstream = await fakeUpstream();
    const dir = await tempDir();
    const recorder = await startRecordServer({
      dir,
      port: 0,
      upstreams: { openai: upstream.url },
      log: quiet,
    });
    try {
      const client = new OpenAI({
        apiKey: RECORD_KEY,
        baseURL: `${recorder.url}/openai/v1`,
        maxRetries: 0,
      });
      await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'hi' }],
      });
    } finally {
      await recorder.close();
    }
    expect(upstream.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /v1/chat/completions',
    ]);
  });
});
