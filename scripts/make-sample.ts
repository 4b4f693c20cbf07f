/**
 * Builds the demo snapshot (samples/demo) from real recorder output: the official SDKs call
 * through `startRecordServer` to the local fake providers, then a few edits make it a showcase
 * (provider URLs instead of the local ones, faults, a scenario, notes).
 *
 * Regenerate with: TAPEDECK_WRITE_SAMPLE=1 npx vitest run test/host-sample.test.ts
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { format, resolveConfig } from 'prettier';
import { startRecordServer } from '../proxy/record-server.js';
import {
  CALLS_DIR,
  MANIFEST_FILE,
  SCENARIOS_DIR,
  serializeCall,
} from '../proxy/store/snapshot-store.js';
import { BUILTIN_UPSTREAMS } from '../shared/upstreams.js';
import { Call, Manifest, type Fault, type Scenario } from '../shared/schema.js';
import { startFakeUpstream } from '../test/support/fake-upstream.js';
import { scenarios } from '../test/support/sdk-scenarios.js';

const KEY = 'sk-demo-not-a-real-key';

type Json = Record<string, unknown>;

/** xAI and OpenRouter replies, which the shared fake upstream does not speak. */
function compatibleReply(model: string): { status: number; headers: Json; body: Json } {
  const created = 1764000000;
  if (model.startsWith('grok')) {
    return {
      status: 200,
      headers: { 'x-zero-data-retention': 'false' },
      body: {
        id: '7c1e2a9d-3b55-4c0e-9f1a-2d6b8e4f0a13',
        object: 'chat.completion',
        created,
        model: 'grok-3-mini',
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content:
                'Paris is usually mild in late spring: expect 15–22 °C, a light breeze and the odd shower.',
              reasoning_content:
                'The user asks about typical weather, not a forecast. Late spring in Paris: mild, some rain.',
              refusal: null,
            },
            finish_reason: 'stop',
          },
        ],
        usage: {
          prompt_tokens: 32,
          completion_tokens: 41,
          total_tokens: 389,
          prompt_tokens_details: {
            text_tokens: 32,
            audio_tokens: 0,
            image_tokens: 0,
            cached_tokens: 6,
          },
          completion_tokens_details: {
            reasoning_tokens: 316,
            audio_tokens: 0,
            accepted_prediction_tokens: 0,
            rejected_prediction_tokens: 0,
          },
          num_sources_used: 0,
          cost_in_usd_ticks: 1881000,
        },
        system_fingerprint: 'fp_6d3f1a2b9c',
      },
    };
  }
  if (model.endsWith(':free')) {
    return {
      status: 429,
      headers: { 'retry-after': '12' },
      body: {
        error: {
          message: 'Provider returned error',
          code: 429,
          metadata: {
            provider_name: 'Google',
            raw: `${model} is temporarily rate-limited upstream. Please retry shortly, or add your own key to accumulate your rate limits.`,
          },
        },
        user_id: 'user_demo',
      },
    };
  }
  return {
    status: 200,
    headers: {},
    body: {
      id: 'gen-1764000000-Qm3xTz8LbWd2NfKp',
      provider: 'Anthropic',
      model,
      object: 'chat.completion',
      created,
      choices: [
        {
          logprobs: null,
          finish_reason: 'stop',
          native_finish_reason: 'end_turn',
          index: 0,
          message: {
            role: 'assistant',
            content:
              'Bring layers and a compact umbrella: Paris weather can turn within an hour, even in May.',
            refusal: null,
            reasoning: null,
          },
        },
      ],
      usage: {
        prompt_tokens: 24,
        completion_tokens: 48,
        total_tokens: 72,
        cost: 0.0002112,
        is_byok: false,
        prompt_tokens_details: { cached_tokens: 0 },
        cost_details: { upstream_inference_cost: null },
        completion_tokens_details: { reasoning_tokens: 0 },
      },
    },
  };
}

async function startCompatibleUpstream(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const model = String((JSON.parse(text || '{}') as Json)['model'] ?? '');
      const reply = compatibleReply(model);
      const body = JSON.stringify(reply.body);
      // A provider takes a while to answer; the sample's timings should look like it.
      setTimeout(() => {
        res.writeHead(reply.status, {
          ...(reply.headers as http.OutgoingHttpHeaders),
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        });
        res.end(body);
      }, 180);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function recordCalls(dir: string): Promise<Record<string, string>> {
  const fake = await startFakeUpstream({ eventDelayMs: 35 });
  const compatible = await startCompatibleUpstream();
  const upstreams = {
    openai: fake.url,
    anthropic: fake.url,
    gemini: fake.url,
    xai: compatible.url,
    openrouter: compatible.url,
  };
  const recorder = await startRecordServer({ dir, port: 0, upstreams, log: () => undefined });
  try {
    for (const s of scenarios) await s.run(`${recorder.url}/${s.upstream}`, KEY);
    const openai = (name: string, base = '/v1') =>
      new OpenAI({ apiKey: KEY, baseURL: `${recorder.url}/${name}${base}`, maxRetries: 0 });
    await openai('openai').responses.create({
      model: 'gpt-4.1-mini',
      input: 'What is the weather in Paris?',
    });
    await openai('xai').chat.completions.create({
      model: 'grok-3-mini',
      messages: [{ role: 'user', content: 'What is the weather like in Paris in May?' }],
    });
    await openai('openrouter').chat.completions.create({
      model: 'anthropic/claude-3.5-haiku',
      messages: [{ role: 'user', content: 'One tip for a rainy day in Paris?' }],
    });
    await openai('openrouter')
      .chat.completions.create({
        model: 'google/gemini-2.0-flash-exp:free',
        messages: [{ role: 'user', content: 'One tip for a rainy day in Paris?' }],
      })
      .then(
        () => {
          throw new Error('the rate-limited OpenRouter call was expected to fail');
        },
        (e: unknown) => {
          if (!(e instanceof OpenAI.RateLimitError)) throw e;
        },
      );
  } finally {
    await recorder.close();
    await fake.close();
    await compatible.close();
  }
  return upstreams;
}

/** The faults the demo shows, each on the first call it fits. */
const FAULTS: { fits: (call: Call) => boolean; faults: Fault[] }[] = [
  {
    fits: (c) => c.upstream === 'openai' && c.api === 'chat.completions' && !c.response.stream,
    faults: [{ kind: 'rateLimit', name: 'quota runs out', after: 3, retryAfterS: 2, for: 2 }],
  },
  {
    fits: (c) => c.upstream === 'anthropic' && c.response.stream !== undefined,
    faults: [
      { kind: 'latency', name: 'slow tokens', perEvent: { lognormal: { median: 40, p95: 150 } } },
    ],
  },
  {
    fits: (c) => c.upstream === 'gemini' && c.response.stream !== undefined,
    faults: [{ kind: 'cutStream', name: 'dropped connection', afterEvents: 2, when: { every: 5 } }],
  },
];

const SCENARIO: Scenario = {
  description: 'Anthropic is overloaded on every fourth request (529 overloaded_error).',
  faults: [
    { kind: 'serverError', status: 529, scope: { upstream: 'anthropic' }, when: { every: 4 } },
  ],
};

/** Local fake addresses become the providers' real ones, so the sample reads like a real capture. */
function asRealProvider(call: Call, local: Record<string, string>): Call {
  const fake = local[call.upstream];
  const real = BUILTIN_UPSTREAMS[call.upstream];
  if (!fake || !real || !call.request.url.startsWith(fake)) return call;
  const headers = { ...call.request.headers };
  if (headers['host'] !== undefined) headers['host'] = new URL(real).host;
  return {
    ...call,
    request: { ...call.request, url: real + call.request.url.slice(fake.length), headers },
  };
}

/** The repository checks every JSON file with Prettier; the content stays the recorder's. */
async function formatTree(dir: string): Promise<void> {
  // The repository's settings, wherever the sample is written.
  const options = (await resolveConfig(fileURLToPath(import.meta.url))) ?? {};
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.json')) continue;
    const file = path.join(entry.parentPath, entry.name);
    await writeFile(
      file,
      await format(await readFile(file, 'utf8'), { ...options, parser: 'json' }),
    );
  }
}

export async function makeSample(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const local = await recordCalls(dir);

  const callsDir = path.join(dir, CALLS_DIR);
  const used = new Set<Fault[]>();
  for (const name of (await readdir(callsDir)).sort()) {
    const file = path.join(callsDir, name);
    let call = asRealProvider(Call.parse(JSON.parse(await readFile(file, 'utf8'))), local);
    const extra = FAULTS.find((f) => !used.has(f.faults) && f.fits(call));
    if (extra) {
      used.add(extra.faults);
      call = { ...call, faults: extra.faults };
    }
    await writeFile(file, serializeCall(call));
  }
  if (used.size !== FAULTS.length)
    throw new Error('the sample is missing a call a fault was meant for');

  const manifestFile = path.join(dir, MANIFEST_FILE);
  const manifest = Manifest.parse(JSON.parse(await readFile(manifestFile, 'utf8')));
  const edited: Manifest = {
    ...manifest,
    notes:
      'Demo snapshot: SDK calls to OpenAI (Chat Completions, Responses), Anthropic, Gemini, xAI and OpenRouter, ' +
      'recorded by Tapedeck against local stand-ins. Some calls carry faults; scenarios/ holds a shared one.',
    normalizers: [{ pattern: '\\d{4}-\\d{2}-\\d{2}T[0-9:.]+Z', replace: '<time>' }],
  };
  await writeFile(manifestFile, JSON.stringify(edited, null, 2) + '\n');
  await mkdir(path.join(dir, SCENARIOS_DIR), { recursive: true });
  await writeFile(
    path.join(dir, SCENARIOS_DIR, 'flaky-anthropic.json'),
    JSON.stringify(SCENARIO, null, 2) + '\n',
  );
  await formatTree(dir);
}
