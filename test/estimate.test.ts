/**
 * Token estimates for calls without usage, per family: message framing, system prompts, tool
 * definitions and images counted the way the provider counts them. Exact figures come from
 * published examples; the families without a public tokenizer are checked against real traffic
 * (../shared/corpus), which also measures the error docs/usage-and-cost.md states.
 */
import { describe, expect, it } from 'vitest';
import { analyzeExchange } from '../shared/providers/analyze.js';
import type { ApiFamily } from '../shared/adapters/adapter.js';
import { adapterOf, routeOf as routeOfPath } from '../shared/adapters/registry.js';
import { countTextTokens } from '../shared/providers/estimate.js';
import '../shared/providers/o200k.js';
import {
  anthropicImageTokens,
  geminiImageTokens,
  imageSizeOf,
  openaiImageTokens,
} from '../shared/providers/images.js';
import {
  corpusDir,
  corpusPresent,
  loadCorpusExchanges,
  routeOf,
} from './support/corpus-exchanges.js';

/** The input tokens the family's adapter estimates for a request. */
function estimateInputTokens(family: ApiFamily, body: unknown, model?: string | null): number {
  return adapterOf(family).estimate(body, '', model ?? null).inputTokens;
}

// The OpenAI cookbook's examples ("How to count tokens with tiktoken"), with the prompt_tokens
// the API reported for gpt-4o: 124 and 101.
const JARGON = [
  {
    role: 'system',
    content:
      'You are a helpful, pattern-following assistant that translates corporate jargon into plain English.',
  },
  {
    role: 'system',
    name: 'example_user',
    content: 'New synergies will help drive top-line growth.',
  },
  {
    role: 'system',
    name: 'example_assistant',
    content: 'Things working well together will increase revenue.',
  },
  {
    role: 'system',
    name: 'example_user',
    content:
      "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage.",
  },
  {
    role: 'system',
    name: 'example_assistant',
    content: "Let's talk later when we're less busy about how to do better.",
  },
  {
    role: 'user',
    content:
      "This late pivot means we don't have time to boil the ocean for the client deliverable.",
  },
];
const WEATHER_MESSAGES = [
  {
    role: 'system',
    content: 'You are a helpful assistant that can answer to questions about the weather.',
  },
  { role: 'user', content: "What's the weather like in San Francisco?" },
];
const WEATHER_FUNCTION = {
  name: 'get_current_weather',
  description: 'Get the current weather in a given location',
  parameters: {
    type: 'object',
    properties: {
      location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' },
      unit: {
        type: 'string',
        description: 'The unit of temperature to return',
        enum: ['celsius', 'fahrenheit'],
      },
    },
    required: ['location'],
  },
};

describe('OpenAI Chat Completions', () => {
  it('counts ChatML framing, names and system messages as the API does (124)', () => {
    expect(estimateInputTokens('openai-chat', { model: 'gpt-4o', messages: JARGON })).toBe(124);
  });

  it('counts tool definitions as the API does (101), where text alone gives far less', () => {
    const body = {
      model: 'gpt-4o',
      messages: WEATHER_MESSAGES,
      tools: [{ type: 'function', function: WEATHER_FUNCTION }],
    };
    expect(estimateInputTokens('openai-chat', body)).toBe(101);
    expect(estimateInputTokens('openai-chat', { ...body, tools: undefined })).toBeLessThan(40);
  });

  it('a stream without usage gets that estimate when recorded (the issue’s 62-token tools)', () => {
    const request = {
      model: 'gpt-4o',
      stream: true,
      messages: WEATHER_MESSAGES,
      tools: [{ type: 'function', function: WEATHER_FUNCTION }],
    };
    const chunk = (delta: object) =>
      JSON.stringify({
        object: 'chat.completion.chunk',
        model: 'gpt-4o',
        choices: [{ index: 0, delta }],
      });
    const a = analyzeExchange({
      upstream: 'openai',
      path: '/v1/chat/completions',
      request: {
        method: 'POST',
        url: 'https://api.openai.com/v1/chat/completions',
        headers: {},
        body: request,
      },
      response: {
        status: 200,
        headers: {},
        stream: [
          { at: 1, data: chunk({ role: 'assistant', content: 'It is' }) },
          { at: 2, data: chunk({ content: ' sunny.' }) },
          { at: 3, data: '[DONE]' },
        ],
      },
    });
    expect(a.usage).toMatchObject({ source: 'estimated', inputTokens: 101 });
    expect(a.usage?.outputTokens).toBe(countTextTokens('It is sunny.'));
  });

  it('counts an assistant tool call and its result as turns', () => {
    const base = { model: 'gpt-4o', messages: WEATHER_MESSAGES };
    const withCall = {
      ...base,
      messages: [
        ...WEATHER_MESSAGES,
        {
          role: 'assistant',
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: {
                name: 'get_current_weather',
                arguments: '{"location":"San Francisco, CA"}',
              },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '18°C, sunny' },
      ],
    };
    const extra =
      estimateInputTokens('openai-chat', withCall) - estimateInputTokens('openai-chat', base);
    const payload =
      countTextTokens('get_current_weather') +
      countTextTokens('{"location":"San Francisco, CA"}') +
      countTextTokens('18°C, sunny');
    expect(extra).toBeGreaterThan(payload + 10);
    expect(extra).toBeLessThan(payload + 25);
  });
});

describe('OpenAI Responses', () => {
  it('frames instructions and input like chat messages, and counts function tools', () => {
    const plain = {
      model: 'gpt-4o',
      instructions: WEATHER_MESSAGES[0]!.content,
      input: WEATHER_MESSAGES[1]!.content,
    };
    const chat = estimateInputTokens('openai-chat', {
      model: 'gpt-4o',
      messages: WEATHER_MESSAGES,
    });
    expect(estimateInputTokens('openai-responses', plain)).toBe(chat);
    const withTools = { ...plain, tools: [{ type: 'function', ...WEATHER_FUNCTION }] };
    expect(estimateInputTokens('openai-responses', withTools)).toBeGreaterThan(chat + 50);
  });
});

describe('Anthropic Messages', () => {
  const body = {
    model: 'claude-sonnet-4-5',
    system: 'You are a helpful assistant that can answer to questions about the weather.',
    messages: [{ role: 'user', content: "What's the weather like in San Francisco?" }],
  };
  const tool = {
    name: WEATHER_FUNCTION.name,
    description: WEATHER_FUNCTION.description,
    input_schema: WEATHER_FUNCTION.parameters,
  };

  it('counts the system prompt', () => {
    const without = estimateInputTokens('anthropic-messages', { ...body, system: undefined });
    expect(estimateInputTokens('anthropic-messages', body) - without).toBe(
      countTextTokens(body.system),
    );
  });

  it('adds the published tool-use system prompt (346 auto, 313 any) and the definitions', () => {
    const plain = estimateInputTokens('anthropic-messages', body);
    const auto = estimateInputTokens('anthropic-messages', { ...body, tools: [tool] });
    const any = estimateInputTokens('anthropic-messages', {
      ...body,
      tools: [tool],
      tool_choice: { type: 'any' },
    });
    expect(auto - any).toBe(346 - 313);
    expect(auto - plain).toBeGreaterThan(346 + countTextTokens(JSON.stringify(tool)));
  });
});

describe('Gemini', () => {
  it('counts the system instruction, contents and function declarations', () => {
    const body = {
      systemInstruction: { parts: [{ text: WEATHER_MESSAGES[0]!.content }] },
      contents: [{ role: 'user', parts: [{ text: WEATHER_MESSAGES[1]!.content }] }],
    };
    const text =
      countTextTokens(WEATHER_MESSAGES[0]!.content) + countTextTokens(WEATHER_MESSAGES[1]!.content);
    expect(estimateInputTokens('gemini', body, 'gemini-2.5-flash')).toBe(text);
    const withTools = { ...body, tools: [{ functionDeclarations: [WEATHER_FUNCTION] }] };
    expect(estimateInputTokens('gemini', withTools, 'gemini-2.5-flash')).toBeGreaterThan(text + 24);
  });
});

/** A base64 PNG, JPEG, GIF or WebP header of the given size (the rest of the file is not needed). */
function header(kind: 'png' | 'jpeg' | 'gif' | 'webp', w: number, h: number): string {
  const b = Buffer.alloc(64);
  if (kind === 'png') {
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
    b.write('IHDR', 12, 'ascii');
    b.writeUInt32BE(w, 16);
    b.writeUInt32BE(h, 20);
  } else if (kind === 'jpeg') {
    // SOI, an APP0 segment of 16 bytes, then a baseline frame header.
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]).copy(b, 0);
    Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08]).copy(b, 20);
    b.writeUInt16BE(h, 25);
    b.writeUInt16BE(w, 27);
  } else if (kind === 'gif') {
    b.write('GIF89a', 0, 'ascii');
    b.writeUInt16LE(w, 6);
    b.writeUInt16LE(h, 8);
  } else {
    b.write('RIFF', 0, 'ascii');
    b.write('WEBPVP8X', 8, 'ascii');
    b.writeUIntLE(w - 1, 24, 3);
    b.writeUIntLE(h - 1, 27, 3);
  }
  return b.toString('base64');
}

describe('images, by each provider’s published rule', () => {
  it('reads the size of inline PNG, JPEG, GIF and WebP images', () => {
    for (const kind of ['png', 'jpeg', 'gif', 'webp'] as const) {
      expect(imageSizeOf(header(kind, 1800, 2400)), kind).toEqual({ width: 1800, height: 2400 });
    }
    expect(imageSizeOf(`data:image/png;base64,${header('png', 640, 480)}`)).toEqual({
      width: 640,
      height: 480,
    });
    expect(imageSizeOf('bm90IGFuIGltYWdl')).toBeNull();
  });

  it('OpenAI: 512-px tiles (gpt-4o), 32-px patches (gpt-4.1-mini), 85 at low detail', () => {
    expect(openaiImageTokens('gpt-4o', { width: 1024, height: 1024 }, 'high')).toBe(765);
    expect(openaiImageTokens('gpt-4o', { width: 2048, height: 4096 }, 'auto')).toBe(1105);
    expect(openaiImageTokens('gpt-4o', { width: 4000, height: 3000 }, 'low')).toBe(85);
    expect(openaiImageTokens('gpt-4.1-mini', { width: 1024, height: 1024 }, undefined)).toBe(
      Math.round(1024 * 1.62),
    );
    expect(openaiImageTokens('gpt-4.1-nano', { width: 1800, height: 2400 }, undefined)).toBe(
      Math.round(1452 * 2.46),
    );
    // Size unknown (an image by URL): counted as 1024×1024.
    expect(openaiImageTokens('gpt-4o', null, undefined)).toBe(765);
  });

  it('Anthropic: width × height / 750, within 1568 px and about 1.15 megapixels', () => {
    expect(anthropicImageTokens({ width: 200, height: 200 })).toBe(54);
    expect(anthropicImageTokens({ width: 1092, height: 1092 })).toBe(1590);
    expect(anthropicImageTokens({ width: 4000, height: 4000 })).toBe(1600);
  });

  it('Gemini: 258 per image up to 384 px, else per tile; Gemini 3 by media resolution', () => {
    expect(geminiImageTokens('gemini-2.5-flash', { width: 300, height: 200 })).toBe(258);
    expect(geminiImageTokens('gemini-2.5-flash', { width: 1024, height: 1024 })).toBe(4 * 258);
    expect(geminiImageTokens('gemini-3-pro-preview', { width: 300, height: 200 })).toBe(1120);
  });

  it('an inline image in a chat request is priced by its size', () => {
    const body = (detail: string) => ({
      model: 'gpt-4o',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            {
              type: 'image_url',
              image_url: { url: `data:image/png;base64,${header('png', 1024, 1024)}`, detail },
            },
          ],
        },
      ],
    });
    expect(
      estimateInputTokens('openai-chat', body('high')) -
        estimateInputTokens('openai-chat', body('low')),
    ).toBe(765 - 85);
  });
});

type Obj = Record<string, unknown>;

/**
 * Calls whose input cannot be counted from the request: server-side state (previous responses,
 * conversations, compaction), server tools that add their own content, and media other than
 * images (PDFs, audio, video) whose token rules need the file itself. Written apart from the
 * estimator on purpose.
 */
function countable(family: ApiFamily, body: Obj): boolean {
  const text = JSON.stringify(body);
  if (body['previous_response_id'] || body['conversation'] || body['context_management'])
    return false;
  if (body['mcp_servers'] || body['container']) return false;
  const tools = Array.isArray(body['tools']) ? (body['tools'] as Obj[]) : [];
  const serverTool = (t: Obj) =>
    family === 'gemini'
      ? !t['functionDeclarations'] && !t['function_declarations']
      : family === 'anthropic-messages'
        ? !t['input_schema']
        : t['type'] !== 'function';
  if (tools.some(serverTool)) return false;
  if (
    /"(document|file|input_file|input_audio|fileData|file_data|image_url|input_image|image)"/.test(
      text,
    )
  )
    return false;
  if (/"mimeType":"(application|audio|video|text|image)/.test(text)) return false;
  if (
    /item_reference|_call"|compaction|server_tool_use|_tool_result"|thoughtSignature|encrypted_content/.test(
      text,
    )
  )
    return false;
  return true;
}

/** Only the vendor's own models: a gateway's other models use other tokenizers. */
function ownModel(family: ApiFamily, model: string | null): boolean {
  if (family === 'openai-chat' || family === 'openai-responses')
    return (
      /^(openai\/)?(gpt-|o\d)/.test(model ?? '') && !/search-preview|gpt-oss/.test(model ?? '')
    );
  return true;
}

// Median of |estimate − provider count| / provider count, per family, over countable calls.
const BOUNDS: Partial<Record<ApiFamily, number>> = {
  'openai-chat': 0.01,
  'openai-responses': 0.02,
  'anthropic-messages': 0.05,
  gemini: 0.1,
};

describe.skipIf(!corpusPresent)('estimates against real provider counts (../shared/corpus)', () => {
  it('are within the documented median error per family', () => {
    const errors: Partial<Record<ApiFamily, number[]>> = {};
    for (const ix of loadCorpusExchanges()) {
      const { upstream, path } = routeOf(ix.url);
      const { family, api } = routeOfPath(path);
      const body = ix.request.body;
      // A compaction pass adds its own (unpublished) instructions.
      if (api === 'responses.compact') continue;
      if (!(family in BOUNDS) || typeof body !== 'object' || body === null) continue;
      const a = analyzeExchange({ upstream, path, request: ix.request, response: ix.response });
      const actual = a.usage?.source === 'provider' ? a.usage.inputTokens : 0;
      if (actual === 0 || !countable(family, body as Obj) || !ownModel(family, a.model)) continue;
      const estimate = estimateInputTokens(family, body, a.model);
      (errors[family] ??= []).push(Math.abs(estimate - actual) / actual);
    }
    const report: string[] = [];
    for (const [family, bound] of Object.entries(BOUNDS) as [ApiFamily, number][]) {
      const e = (errors[family] ?? []).sort((x, y) => x - y);
      expect(e.length, family).toBeGreaterThan(20);
      const median = e[Math.floor(e.length / 2)] ?? 1;
      const p90 = e[Math.floor(e.length * 0.9)] ?? 1;
      report.push(
        `  ${family}: ${e.length} calls, median error ${(median * 100).toFixed(1)}%, p90 ${(p90 * 100).toFixed(1)}%`,
      );
      expect(median, family).toBeLessThanOrEqual(bound);
    }
    console.log(`estimates vs provider counts (${corpusDir}):\n${report.join('\n')}`);
  });
});
