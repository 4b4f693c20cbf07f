/**
 * `startMock`: a real mock server started in the test process for integration tests. Its url and
 * base URLs take the official SDKs, its env takes a child process, stats/misses/reset speak the
 * control API, close() frees the port, and `strict` turns unmatched requests into close()'s error.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type StartedMock, type StartMockOptions } from '../testing/index.js';
import { anthropicRequest, chatRequest, DEMO, QUESTION } from './support/demo-calls.js';

const run = promisify(execFile);

const started: StartedMock[] = [];
afterEach(async () => {
  // A strict mock's close() may reject: that is its own test's business.
  for (const m of started.splice(0)) await m.close().catch(() => undefined);
});

// A copy: a running mock writes its announce file into the folder, and samples/ is the repo's.
let demo = '';
beforeAll(async () => {
  demo = await mkdtemp(path.join(os.tmpdir(), 'tapedeck-start-mock-'));
  await cp(DEMO, demo, { recursive: true });
});
afterAll(() => rm(demo, { recursive: true, force: true }));

async function mockOf(o: Partial<StartMockOptions> = {}): Promise<StartedMock> {
  const mock = await startMock({ snapshot: demo, log: false, watch: false, ...o });
  started.push(mock);
  return mock;
}

const openai = (mock: StartedMock): OpenAI =>
  new OpenAI({ apiKey: 'test', baseURL: mock.baseUrls.openai, maxRetries: 0 });

describe('startMock', () => {
  it('url and baseUrls: the three SDKs replay the demo snapshot', async () => {
    const mock = await mockOf();
    expect(mock.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(mock.baseUrls).toEqual({
      openai: `${mock.url}/openai/v1`,
      anthropic: `${mock.url}/anthropic`,
      gemini: `${mock.url}/gemini`,
      xai: `${mock.url}/xai/v1`,
      openrouter: `${mock.url}/openrouter/v1`,
    });

    const chat = await openai(mock).chat.completions.create(chatRequest);
    expect(chat.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      function: { name: 'get_weather' },
    });

    const anthropic = new Anthropic({
      apiKey: 'test',
      baseURL: mock.baseUrls.anthropic,
      maxRetries: 0,
    });
    const message = await anthropic.messages.create(anthropicRequest);
    expect(message.stop_reason).toBe('tool_use');

    const gemini = new GoogleGenAI({
      apiKey: 'test',
      vertexai: false,
      httpOptions: { baseUrl: mock.baseUrls.gemini },
    });
    const stream = await gemini.models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: 'What is the capital of France?',
    });
    let text = '';
    for await (const chunk of stream) text += chunk.text ?? '';
    expect(text).toBe('The capital of France is Paris.');

    const xai = new OpenAI({ apiKey: 'test', baseURL: mock.baseUrls.xai, maxRetries: 0 });
    const grok = await xai.chat.completions.create({
      model: 'grok-3-mini',
      messages: [{ role: 'user', content: 'What is the weather like in Paris in May?' }],
    });
    expect(grok.choices[0]?.message.content).toContain('Paris');
  });

  it('env: a child process with it reaches the mock through the SDK alone', async () => {
    const mock = await mockOf();
    expect(mock.env).toMatchObject({
      OPENAI_BASE_URL: mock.baseUrls.openai,
      ANTHROPIC_BASE_URL: mock.baseUrls.anthropic,
      TAPEDECK_URL: mock.url,
    });
    const script = `
      import OpenAI from 'openai';
      const r = await new OpenAI({ maxRetries: 0 }).responses.create({ model: 'gpt-4.1-mini', input: ${JSON.stringify(QUESTION)} });
      process.stdout.write(r.output_text);`;
    // As a globalSetup hands it to the test processes: the mock's variables over the rest.
    const env = { ...process.env, ...mock.env };
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      env,
      cwd: process.cwd(),
    });
    expect(stdout).not.toBe('');
    expect((await mock.stats()).upstreams['openai']).toMatchObject({ requests: 1, matched: 1 });
  });

  it('stats(), misses() and reset()', async () => {
    const mock = await mockOf();
    const client = openai(mock);
    await client.chat.completions.create(chatRequest);
    await expect(
      client.chat.completions.create({
        ...chatRequest,
        messages: [{ role: 'user', content: 'What is the weather in Rome?' }],
      }),
    ).rejects.toBeInstanceOf(OpenAI.NotFoundError);

    const stats = await mock.stats();
    expect(stats.calls).toBe(11);
    expect(stats.unmatched).toBe(1);
    expect(stats.upstreams['openai']).toMatchObject({ requests: 2, matched: 1, unmatched: 1 });
    expect(stats.unused.length).toBeGreaterThan(0);

    const misses = await mock.misses();
    expect(misses).toHaveLength(1);
    expect(misses[0]).toMatchObject({
      upstream: 'openai',
      method: 'POST',
      path: '/v1/chat/completions',
    });
    expect(misses[0]?.diff.join('\n')).toContain('Rome');

    await mock.reset();
    expect(await mock.misses()).toEqual([]);
    const after = await mock.stats();
    expect(after.unmatched).toBe(0);
    expect(after.upstreams['openai']?.requests ?? 0).toBe(0);
  });

  it("scenario: the demo's flaky-anthropic overloads every fourth request", async () => {
    const mock = await mockOf({ scenario: 'flaky-anthropic' });
    const client = new Anthropic({
      apiKey: 'test',
      baseURL: mock.baseUrls.anthropic,
      maxRetries: 0,
    });
    const outcomes: Array<number | string> = [];
    for (let i = 0; i < 5; i++)
      outcomes.push(
        await client.messages.create(anthropicRequest).then(
          (m) => m.stop_reason ?? '',
          (e: unknown) => (e instanceof Anthropic.APIError ? (e.status ?? 0) : String(e)),
        ),
      );
    expect(outcomes).toEqual(['tool_use', 'tool_use', 'tool_use', 529, 'tool_use']);
    expect((await mock.stats()).upstreams['anthropic']).toMatchObject({
      requests: 5,
      faults: { serverError: 1 },
    });
  });

  it('close() frees the port; closing twice is one close', async () => {
    const mock = await mockOf();
    const health = await fetch(`${mock.url}/__tapedeck/health`);
    expect(health.status).toBe(200);
    const first = mock.close();
    expect(mock.close()).toBe(first);
    await first;
    await expect(fetch(`${mock.url}/__tapedeck/health`)).rejects.toThrow();
  });

  it('strict: close() rejects, listing the unmatched request', async () => {
    const mock = await mockOf({ strict: true });
    await openai(mock).chat.completions.create(chatRequest);
    await expect(
      openai(mock).chat.completions.create({ ...chatRequest, model: 'gpt-4o-strict' }),
    ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const error = await mock.close().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    const text = (error as Error).message;
    expect(text).toContain('1 unmatched request');
    expect(text).toContain('/v1/chat/completions');
    expect(text).toContain('gpt-4o-strict');
  });

  it('strict with every request matched: close() resolves', async () => {
    const mock = await mockOf({ strict: true });
    await openai(mock).chat.completions.create(chatRequest);
    await expect(mock.close()).resolves.toBeUndefined();
  });
});
