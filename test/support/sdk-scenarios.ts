/**
 * One scenario per SDK call shape the round-trip tests exercise. Each drives the official SDK at a
 * base URL and reduces what the SDK returned to plain JSON (for deep-equal between recording and
 * replay) plus the assembled text and tool calls (so an empty or garbled result cannot pass).
 */
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';

export interface ToolCall {
  name: string;
  args: unknown;
}

export interface SdkResult {
  /** The SDK's returned object, or the list of stream events it yielded, as plain JSON. */
  value: unknown;
  text: string;
  toolCalls: ToolCall[];
}

export interface ExpectedUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
}

export interface Scenario {
  name: string;
  upstream: 'openai' | 'anthropic' | 'gemini';
  provider: string;
  /** The api names a call file may carry for this call. */
  apis: string[];
  stream: boolean;
  /** Either the requested model or the model the provider reported back. */
  models: string[];
  usage: ExpectedUsage;
  text: string;
  toolCalls: ToolCall[];
  /** `base` is the root the provider's own paths hang off (`/v1/...`, `/v1beta/...`). */
  run(base: string, key: string): Promise<SdkResult>;
}

/** Drops undefined fields, class identities and non-enumerable extras, as a JSON consumer sees them. */
export function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

const weatherTool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: {
    type: 'object' as const,
    properties: {
      city: { type: 'string' },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
    },
    required: ['city'],
    additionalProperties: false,
  },
};

const question = 'What is the weather in Paris?';

function openai(base: string, key: string): OpenAI {
  return new OpenAI({ apiKey: key, baseURL: `${base}/v1`, maxRetries: 0 });
}

function anthropic(base: string, key: string): Anthropic {
  return new Anthropic({ apiKey: key, baseURL: base, maxRetries: 0 });
}

function gemini(base: string, key: string): GoogleGenAI {
  return new GoogleGenAI({ apiKey: key, vertexai: false, httpOptions: { baseUrl: base } });
}

function withoutHttpResponse(response: object): unknown {
  const { sdkHttpResponse: _ignored, ...rest } = response as { sdkHttpResponse?: unknown };
  return plain(rest);
}

interface GeminiPart {
  text?: string;
  functionCall?: { name?: string; args?: unknown };
}
function geminiParts(response: {
  candidates?: { content?: { parts?: GeminiPart[] } }[];
}): GeminiPart[] {
  return response.candidates?.[0]?.content?.parts ?? [];
}

export const scenarios: Scenario[] = [
  {
    name: 'openai chat.completions, tool call',
    upstream: 'openai',
    provider: 'openai',
    apis: ['chat.completions'],
    stream: false,
    models: ['gpt-4o-mini', 'gpt-4o-mini-2024-07-18'],
    usage: {
      inputTokens: 1200,
      outputTokens: 18,
      cacheReadTokens: 1024,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    },
    text: '',
    toolCalls: [{ name: 'get_weather', args: { city: 'Paris', unit: 'celsius' } }],
    async run(base, key) {
      const completion = await openai(base, key).chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: question }],
        tools: [{ type: 'function', function: weatherTool }],
      });
      const message = completion.choices[0]?.message;
      return {
        value: plain(completion),
        text: message?.content ?? '',
        toolCalls: (message?.tool_calls ?? []).map((c) => {
          if (c.type !== 'function') throw new Error(`unexpected tool call type ${c.type}`);
          return { name: c.function.name, args: JSON.parse(c.function.arguments) as unknown };
        }),
      };
    },
  },
  {
    name: 'openai chat.completions stream, tool call deltas and include_usage',
    upstream: 'openai',
    provider: 'openai',
    apis: ['chat.completions'],
    stream: true,
    models: ['gpt-4o-mini', 'gpt-4o-mini-2024-07-18'],
    usage: {
      inputTokens: 85,
      outputTokens: 25,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    },
    text: 'Checking the weather.',
    toolCalls: [{ name: 'get_weather', args: { city: 'Paris' } }],
    async run(base, key) {
      const stream = await openai(base, key).chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: question }],
        tools: [{ type: 'function', function: weatherTool }],
        stream: true,
        stream_options: { include_usage: true },
      });
      const chunks: unknown[] = [];
      let text = '';
      const calls = new Map<number, { name: string; args: string }>();
      for await (const chunk of stream) {
        chunks.push(plain(chunk));
        const delta = chunk.choices[0]?.delta;
        text += delta?.content ?? '';
        for (const t of delta?.tool_calls ?? []) {
          const call = calls.get(t.index) ?? { name: '', args: '' };
          call.name += t.function?.name ?? '';
          call.args += t.function?.arguments ?? '';
          calls.set(t.index, call);
        }
      }
      return {
        value: chunks,
        text,
        toolCalls: [...calls.values()].map((c) => ({
          name: c.name,
          args: JSON.parse(c.args) as unknown,
        })),
      };
    },
  },
  {
    name: 'openai responses stream, text and function call',
    upstream: 'openai',
    provider: 'openai',
    apis: ['responses'],
    stream: true,
    models: ['gpt-4.1-mini', 'gpt-4.1-mini-2025-04-14'],
    usage: {
      inputTokens: 90,
      outputTokens: 30,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    },
    text: 'Checking the weather.',
    toolCalls: [{ name: 'get_weather', args: { city: 'Paris' } }],
    async run(base, key) {
      const stream = await openai(base, key).responses.create({
        model: 'gpt-4.1-mini',
        input: question,
        tools: [{ type: 'function', strict: true, ...weatherTool }],
        stream: true,
      });
      const events: unknown[] = [];
      let text = '';
      const toolCalls: ToolCall[] = [];
      for await (const event of stream) {
        events.push(plain(event));
        if (event.type === 'response.output_text.delta') text += event.delta;
        if (event.type === 'response.completed') {
          for (const item of event.response.output) {
            if (item.type === 'function_call')
              toolCalls.push({ name: item.name, args: JSON.parse(item.arguments) });
          }
        }
      }
      return { value: events, text, toolCalls };
    },
  },
  {
    name: 'anthropic messages, tool_use and cache usage',
    upstream: 'anthropic',
    provider: 'anthropic',
    apis: ['messages'],
    stream: false,
    models: ['claude-sonnet-4-6'],
    usage: {
      inputTokens: 3560,
      outputTokens: 64,
      cacheReadTokens: 2048,
      cacheWriteTokens: 1500,
      reasoningTokens: 0,
    },
    text: "I'll look up the current weather in Paris.",
    toolCalls: [{ name: 'get_weather', args: { city: 'Paris', unit: 'celsius' } }],
    async run(base, key) {
      const message = await anthropic(base, key).messages.create({
        model: 'claude-sonnet-4-6',
        max_tokens: 1024,
        messages: [{ role: 'user', content: question }],
        tools: [
          {
            name: weatherTool.name,
            description: weatherTool.description,
            input_schema: weatherTool.parameters,
          },
        ],
      });
      let text = '';
      const toolCalls: ToolCall[] = [];
      for (const block of message.content) {
        if (block.type === 'text') text += block.text;
        if (block.type === 'tool_use') toolCalls.push({ name: block.name, args: block.input });
      }
      return { value: plain(message), text, toolCalls };
    },
  },
  {
    name: 'anthropic messages stream, text and tool_use with input_json_delta',
    upstream: 'anthropic',
    provider: 'anthropic',
    apis: ['messages'],
    stream: true,
    models: ['claude-sonnet-4-6'],
    usage: {
      inputTokens: 20,
      outputTokens: 71,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    },
    text: 'Let me check the weather.',
    toolCalls: [{ name: 'get_weather', args: { city: 'Paris', unit: 'celsius' } }],
    async run(base, key) {
      const stream = await anthropic(base, key).messages.create({
        model: 'claude-sonnet-4-6',
        max_tokens: 1024,
        messages: [{ role: 'user', content: question }],
        tools: [
          {
            name: weatherTool.name,
            description: weatherTool.description,
            input_schema: weatherTool.parameters,
          },
        ],
        stream: true,
      });
      const events: unknown[] = [];
      let text = '';
      const tools = new Map<number, { name: string; json: string }>();
      for await (const event of stream) {
        events.push(plain(event));
        if (event.type === 'content_block_start' && event.content_block.type === 'tool_use') {
          tools.set(event.index, { name: event.content_block.name, json: '' });
        }
        if (event.type === 'content_block_delta') {
          if (event.delta.type === 'text_delta') text += event.delta.text;
          const tool = tools.get(event.index);
          if (event.delta.type === 'input_json_delta' && tool)
            tool.json += event.delta.partial_json;
        }
      }
      return {
        value: events,
        text,
        toolCalls: [...tools.values()].map((t) => ({
          name: t.name,
          args: JSON.parse(t.json) as unknown,
        })),
      };
    },
  },
  {
    name: 'gemini generateContent, functionCall and thoughts',
    upstream: 'gemini',
    provider: 'gemini',
    apis: ['generateContent'],
    stream: false,
    models: ['gemini-2.5-flash'],
    usage: {
      inputTokens: 40,
      outputTokens: 40,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 28,
    },
    text: 'I will check the weather in Paris.',
    toolCalls: [{ name: 'get_weather', args: { city: 'Paris', unit: 'celsius' } }],
    async run(base, key) {
      const response = await gemini(base, key).models.generateContent({
        model: 'gemini-2.5-flash',
        contents: question,
        config: {
          tools: [
            {
              functionDeclarations: [
                { name: weatherTool.name, description: weatherTool.description },
              ],
            },
          ],
        },
      });
      const parts = geminiParts(response);
      return {
        value: withoutHttpResponse(response),
        text: parts.map((p) => p.text ?? '').join(''),
        toolCalls: parts.flatMap((p) =>
          p.functionCall ? [{ name: p.functionCall.name ?? '', args: p.functionCall.args }] : [],
        ),
      };
    },
  },
  {
    name: 'gemini streamGenerateContent (alt=sse)',
    upstream: 'gemini',
    provider: 'gemini',
    apis: ['generateContent', 'streamGenerateContent'],
    stream: true,
    models: ['gemini-2.5-flash'],
    usage: {
      inputTokens: 9,
      outputTokens: 15,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    },
    text: 'The capital of France is Paris.',
    toolCalls: [],
    async run(base, key) {
      const stream = await gemini(base, key).models.generateContentStream({
        model: 'gemini-2.5-flash',
        contents: 'What is the capital of France?',
      });
      const chunks: unknown[] = [];
      let text = '';
      for await (const chunk of stream) {
        chunks.push(withoutHttpResponse(chunk));
        text += geminiParts(chunk)
          .map((p) => p.text ?? '')
          .join('');
      }
      return { value: chunks, text, toolCalls: [] };
    },
  },
];

/**
 * The request header each provider's SDK carries its key in, and how the key appears there.
 * @anthropic-ai/sdk 1.x sends an `apiKey` as `Authorization: Bearer`, not as `x-api-key`.
 */
export function credentialOf(
  upstream: Scenario['upstream'],
  key: string,
): { header: string; value: string } {
  if (upstream === 'gemini') return { header: 'x-goog-api-key', value: key };
  return { header: 'authorization', value: `Bearer ${key}` };
}
