/**
 * Tool calls in recorded replies: reading them, writing edited ones back, and breaking them for
 * `malformed` faults — for every family, streamed and not. What was written is checked by
 * assembling it again independently (test/support/tool-call-wire.ts) and, for streams, with the
 * official SDKs' own stream assemblers fed through a fake fetch.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { sseEventBytes } from '../proxy/replay.js';
import { routeOfCall } from '../shared/adapters/registry.js';
import type { Call, RecordedResponse, StreamEvent } from '../shared/schema.js';
import {
  ToolCallEditError,
  breakToolCalls,
  toolCallsOf,
  withToolCalls,
  type BreakMode,
  type ToolCallView,
} from '../shared/tool-calls/index.js';
import { corpusDir, corpusPresent, loadCorpusExchanges } from './support/corpus-exchanges.js';
import {
  ASSEMBLERS,
  SEARCH,
  TEXT,
  WEATHER,
  anthropicBody,
  anthropicStream,
  argsValue,
  assembleResponses,
  callOf,
  chatBody,
  chatStream,
  geminiBody,
  geminiStream,
  responsesBody,
  responsesStream,
  timed,
  type Assembled,
  type WireFamily,
} from './support/tool-call-wire.js';

interface Case {
  family: WireFamily;
  streamed: boolean;
  name: string;
  build(withTools?: boolean): Call;
  ids: [string | null, string | null];
  /** Events whose data an edit of call 0 changes (besides counters). */
  changedOnEdit: number;
  /** Argument deltas of call 0 in the fixture stream. */
  firstCallDeltas: number;
  finishAfterHalf: string | null;
}

const FAMILIES = [
  {
    family: 'openai-chat',
    url: 'https://api.openai.com/v1/chat/completions',
    streamUrl: 'https://api.openai.com/v1/chat/completions',
    api: 'chat.completions',
    body: chatBody,
    stream: chatStream,
    ids: ['call_w', 'call_s'],
    changedOnEdit: 2,
    firstCallDeltas: 3,
    finishAfterHalf: 'stop',
  },
  {
    family: 'openai-responses',
    url: 'https://api.openai.com/v1/responses',
    streamUrl: 'https://api.openai.com/v1/responses',
    api: 'responses',
    body: responsesBody,
    stream: responsesStream,
    ids: ['call_w', 'call_s'],
    // added item (name), first delta, arguments.done, output_item.done, response.completed
    changedOnEdit: 5,
    firstCallDeltas: 3,
    finishAfterHalf: null,
  },
  {
    family: 'anthropic-messages',
    url: 'https://api.anthropic.com/v1/messages',
    streamUrl: 'https://api.anthropic.com/v1/messages',
    api: 'messages',
    body: anthropicBody,
    stream: anthropicStream,
    ids: ['toolu_w', 'toolu_s'],
    changedOnEdit: 2,
    firstCallDeltas: 3,
    finishAfterHalf: 'end_turn',
  },
  {
    family: 'gemini',
    url: 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent',
    streamUrl:
      'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    api: 'generateContent',
    body: geminiBody,
    stream: geminiStream,
    ids: [null, 'fc_s'],
    changedOnEdit: 1,
    firstCallDeltas: 0,
    finishAfterHalf: null,
  },
] as const;

const CASES: Case[] = FAMILIES.flatMap((f) =>
  [false, true].map((streamed): Case => ({
    family: f.family,
    streamed,
    name: `${f.family} ${streamed ? 'stream' : 'body'}`,
    build: (withTools = true) =>
      streamed
        ? callOf(f.streamUrl, f.api, { stream: f.stream(withTools) })
        : callOf(f.url, f.api, { body: f.body(withTools) }),
    ids: [...f.ids],
    changedOnEdit: f.changedOnEdit,
    firstCallDeltas: f.firstCallDeltas,
    finishAfterHalf: f.finishAfterHalf,
  })),
);

const objectFamily = (f: WireFamily): boolean => f === 'anthropic-messages' || f === 'gemini';
const argsTextOf = (f: WireFamily, v: unknown): string =>
  objectFamily(f) ? JSON.stringify(v, null, 2) : JSON.stringify(v);

function assemble(family: WireFamily, call: Call): Assembled {
  return ASSEMBLERS[family](call.response);
}

function plainCalls(a: Assembled): { id: string | null; name: string; args: unknown }[] {
  return a.calls.map((c) => ({ id: c.id, name: c.name, args: argsValue(c.args) }));
}

// ---- the official SDKs' stream assemblers ----

function sseText(events: readonly StreamEvent[]): string {
  return Buffer.concat(events.map(sseEventBytes)).toString('utf8');
}

function fakeFetch(r: RecordedResponse) {
  return async (): Promise<Response> =>
    new Response(sseText(r.stream ?? []), {
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
    });
}

const messages = [{ role: 'user' as const, content: 'What is the weather in Paris?' }];

/** What the official SDK builds from a recorded stream; null where no SDK is wired up (Gemini). */
async function sdkAssemble(family: WireFamily, r: RecordedResponse): Promise<Assembled | null> {
  const options = { apiKey: 'k', maxRetries: 0, fetch: fakeFetch(r) };
  if (family === 'openai-chat') {
    const client = new OpenAI({ ...options, baseURL: 'http://sdk.test/v1' });
    const done = await client.chat.completions
      .stream({ model: 'gpt-4o-mini', messages })
      .finalChatCompletion();
    const choice = done.choices[0];
    return {
      text: choice?.message.content ?? '',
      calls: (choice?.message.tool_calls ?? []).map((tc) => ({
        id: tc.id,
        name: tc.function.name,
        args: tc.function.arguments,
      })),
      finish: choice?.finish_reason ?? null,
    };
  }
  if (family === 'openai-responses') {
    const client = new OpenAI({ ...options, baseURL: 'http://sdk.test/v1' });
    const done = await client.responses.stream({ model: 'gpt-5', input: 'hi' }).finalResponse();
    return {
      text: done.output_text,
      calls: done.output.flatMap((item) =>
        item.type === 'function_call'
          ? [{ id: item.call_id, name: item.name, args: item.arguments }]
          : [],
      ),
      finish: null,
    };
  }
  if (family === 'anthropic-messages') {
    const client = new Anthropic({ ...options, baseURL: 'http://sdk.test' });
    const done = await client.messages
      .stream({ model: 'claude-sonnet-4-5', max_tokens: 100, messages })
      .finalMessage();
    return {
      text: done.content.map((b) => (b.type === 'text' ? b.text : '')).join(''),
      calls: done.content.flatMap((b) =>
        b.type === 'tool_use' ? [{ id: b.id, name: b.name, args: b.input }] : [],
      ),
      finish: done.stop_reason,
    };
  }
  return null;
}

/** Checks the assembled reply both ways: the independent assembler and the SDK's. */
async function expectAssembled(
  c: Case,
  call: Call,
  want: { text: string; calls: { name: string; args: unknown }[]; finish?: string | null },
): Promise<void> {
  const mine = assemble(c.family, call);
  expect(mine.text).toBe(want.text);
  expect(plainCalls(mine).map(({ name, args }) => ({ name, args }))).toEqual(want.calls);
  if (want.finish !== undefined) expect(mine.finish).toBe(want.finish);
  if (!c.streamed) return;
  const sdk = await sdkAssemble(c.family, call.response);
  if (!sdk) return;
  expect(sdk.text).toBe(want.text);
  expect(plainCalls(sdk).map(({ name, args }) => ({ name, args }))).toEqual(want.calls);
  if (want.finish !== undefined && c.family !== 'openai-responses')
    expect(sdk.finish).toBe(want.finish);
}

/** The data of an event with the Responses counter left out, for comparing content. */
function content(e: StreamEvent): unknown {
  if (e.data === undefined || e.data === '[DONE]') return e.data;
  const { sequence_number: _seq, ...rest } = JSON.parse(e.data) as Record<string, unknown>;
  return rest;
}

/** The argument fragments of the fixtures' first call, in stream order. */
function firstCallFragments(family: WireFamily, events: readonly StreamEvent[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    if (e.data === undefined || e.data === '[DONE]') continue;
    const ev = JSON.parse(e.data) as {
      type?: string;
      index?: number;
      output_index?: number;
      delta?: string | { type?: string; partial_json?: string };
      choices?: {
        delta: { tool_calls?: { index: number; function?: { arguments?: string } }[] };
      }[];
    };
    if (family === 'openai-chat') {
      for (const ch of ev.choices ?? []) {
        for (const tc of ch.delta.tool_calls ?? []) {
          const a = tc.function?.arguments;
          if (tc.index === 0 && a) out.push(a);
        }
      }
    } else if (family === 'openai-responses') {
      if (ev.type === 'response.function_call_arguments.delta' && ev.output_index === 1) {
        out.push(String(ev.delta));
      }
    } else if (family === 'anthropic-messages') {
      if (typeof ev.delta === 'object' && ev.delta.type === 'input_json_delta' && ev.index === 1) {
        out.push(ev.delta.partial_json ?? '');
      }
    }
  }
  return out;
}

const ORIGINAL = [
  { name: 'get_weather', args: WEATHER },
  { name: 'web_search', args: SEARCH },
];

describe.each(CASES)('$name', (c) => {
  it('reads the tool calls as the assembled calls', () => {
    const call = c.build();
    expect(routeOfCall(call).family).toBe(c.family);
    expect(toolCallsOf(call)).toEqual([
      { index: 0, id: c.ids[0], name: 'get_weather', arguments: argsTextOf(c.family, WEATHER) },
      { index: 1, id: c.ids[1], name: 'web_search', arguments: argsTextOf(c.family, SEARCH) },
    ]);
    expect(toolCallsOf(c.build(false))).toEqual([]);
  });

  it('round trip leaves the reply as recorded', async () => {
    const call = c.build();
    const before = JSON.stringify(call);
    const out = withToolCalls(call, toolCallsOf(call));
    expect(out).not.toBe(call);
    expect(out.response).toEqual(call.response);
    expect(JSON.stringify(call)).toBe(before);
    await expectAssembled(c, out, { text: TEXT, calls: ORIGINAL });
  });

  it('an edit of name and arguments shows up in the assembled reply', async () => {
    const call = c.build();
    const before = JSON.stringify(call);
    const views = toolCallsOf(call);
    const forecast = { city: 'Lyon', days: 2, note: 'naïve “quotes” 🌧' };
    const edited: ToolCallView[] = [
      { ...views[0]!, name: 'get_forecast', arguments: argsTextOf(c.family, forecast) },
      views[1]!,
    ];
    const out = withToolCalls(call, edited);
    expect(JSON.stringify(call)).toBe(before);
    expect(toolCallsOf(out)).toEqual(edited);
    const assembled = assemble(c.family, out);
    expect(plainCalls(assembled)).toEqual([
      { id: c.ids[0], name: 'get_forecast', args: forecast },
      { id: c.ids[1], name: 'web_search', args: SEARCH },
    ]);
    await expectAssembled(c, out, {
      text: TEXT,
      calls: [{ name: 'get_forecast', args: forecast }, ORIGINAL[1]!],
      finish: assemble(c.family, call).finish,
    });
    // Idempotent: reading and writing the edited reply changes nothing more.
    expect(withToolCalls(out, toolCallsOf(out)).response).toEqual(out.response);
    if (!c.streamed) return;

    const old = call.response.stream!;
    const neu = out.response.stream!;
    // The other events stay, in order, at their times; only argument deltas of call 0 went away.
    const byTime = new Map(old.map((e) => [e.at, e]));
    expect(neu.map((e) => e.at)).toEqual([...neu.map((e) => e.at)].sort((a, b) => a - b));
    for (const e of neu) expect(byTime.get(e.at)?.event).toBe(e.event);
    expect(old.length - neu.length).toBe(Math.max(0, c.firstCallDeltas - 1));
    const changed = neu.filter(
      (e) => JSON.stringify(content(e)) !== JSON.stringify(content(byTime.get(e.at)!)),
    );
    expect(changed).toHaveLength(c.changedOnEdit);
    // One argument delta is left for call 0, and it carries the whole text.
    if (c.firstCallDeltas > 0) {
      expect(firstCallFragments(c.family, old)).toHaveLength(c.firstCallDeltas);
      expect(firstCallFragments(c.family, neu)).toEqual([JSON.stringify(forecast)]);
    }
  });

  it('keeps invalid arguments only where the family sends them as text', () => {
    const call = c.build();
    const views = toolCallsOf(call);
    for (const bad of ['{"city": ', '[1, 2]', '"Paris"']) {
      const edit = (): Call => withToolCalls(call, [{ ...views[0]!, arguments: bad }, views[1]!]);
      if (objectFamily(c.family)) {
        expect(edit).toThrow(ToolCallEditError);
        expect(edit).toThrow(/tool call 0 \(get_weather\).*must be a JSON object/);
      } else {
        const out = edit();
        expect(toolCallsOf(out)[0]?.arguments).toBe(bad);
        expect(assemble(c.family, out).calls[0]?.args).toBe(bad);
      }
    }
  });

  it('refuses a list that does not match the reply', () => {
    const call = c.build();
    const views = toolCallsOf(call);
    expect(() => withToolCalls(call, views.slice(1))).toThrow(ToolCallEditError);
    expect(() => withToolCalls(call, [views[0]!, { ...views[1]!, index: 0 }])).toThrow(
      /appears twice/,
    );
    expect(() => withToolCalls(c.build(false), views)).toThrow(/has 0 tool call/);
    expect(withToolCalls(c.build(false), []).response).toEqual(c.build(false).response);
  });

  it('sets a new call id where the stream states one', () => {
    const call = c.build();
    const views = toolCallsOf(call);
    const out = withToolCalls(call, [{ ...views[0]!, id: 'call_new' }, views[1]!]);
    expect(assemble(c.family, out).calls.map((x) => x.id)).toEqual(['call_new', c.ids[1]]);
  });

  describe('breakToolCalls', () => {
    it('toolName: every name gets a dropped inner letter, arguments stay', async () => {
      const call = c.build();
      const before = JSON.stringify(call);
      const out = breakToolCalls(call, 'toolName');
      expect(JSON.stringify(call)).toBe(before);
      expect(out).not.toBeNull();
      await expectAssembled(c, out!, {
        text: TEXT,
        calls: [
          { name: 'get_weathr', args: WEATHER },
          { name: 'web_serch', args: SEARCH },
        ],
        finish: assemble(c.family, call).finish,
      });
      if (c.streamed) expect(out!.response.stream!.length).toBe(call.response.stream!.length);
    });

    it('toolArgs: valid JSON of the wrong shape', async () => {
      const call = c.build();
      const out = breakToolCalls(call, 'toolArgs');
      expect(out).not.toBeNull();
      const calls = [
        { name: 'get_weather', args: { city: ['Paris'] } },
        { name: 'web_search', args: { query: ['restaurants in Paris'], limit: 3 } },
      ];
      await expectAssembled(c, out!, { text: TEXT, calls });
      expect(toolCallsOf(out!).map((v) => JSON.parse(v.arguments) as unknown)).toEqual(
        calls.map((x) => x.args),
      );
    });

    it('textThenHalfTool: the text goes on with half of the first call, the calls are gone', async () => {
      const call = c.build();
      const before = JSON.stringify(call);
      const out = breakToolCalls(call, 'textThenHalfTool');
      expect(JSON.stringify(call)).toBe(before);
      expect(out).not.toBeNull();
      const payload = JSON.stringify({ name: 'get_weather', arguments: WEATHER });
      const half = payload.slice(0, Math.ceil(payload.length / 2));
      expect(half).toBe('{"name":"get_weather","arg');
      await expectAssembled(c, out!, { text: TEXT + half, calls: [], finish: c.finishAfterHalf });
      expect(toolCallsOf(out!)).toEqual([]);
      if (c.streamed) {
        const times = new Set(call.response.stream!.map((e) => e.at));
        for (const e of out!.response.stream!) expect(times.has(e.at)).toBe(true);
      }
    });

    it.each(['toolName', 'toolArgs', 'textThenHalfTool'] as BreakMode[])(
      '%s: null when the reply has no tool call',
      (mode) => {
        expect(breakToolCalls(c.build(false), mode)).toBeNull();
      },
    );
  });
});

describe('family', () => {
  const body = { body: chatBody() };
  const familyOf = (call: Call): string => routeOfCall(call).family;
  it('comes from the stored route, then the URL, then the api name', () => {
    expect(familyOf(callOf('https://x.test/v1/chat/completions', '', body))).toBe('openai-chat');
    expect(familyOf(callOf('http://127.0.0.1:9/anything', 'chat.completions', body))).toBe(
      'openai-chat',
    );
    expect(familyOf(callOf('http://127.0.0.1:9/anything', 'messages', body))).toBe(
      'anthropic-messages',
    );
    expect(familyOf(callOf('/v1beta/models/m:streamGenerateContent?alt=sse', '', body))).toBe(
      'gemini',
    );
    const routed: Call = {
      ...callOf('http://127.0.0.1:9/anything', '', body),
      route: { family: 'openai-responses', api: 'responses', path: '/openai/v1/responses' },
    };
    expect(familyOf(routed)).toBe('openai-responses');
    expect(familyOf(callOf('https://x.test/v1/embeddings', 'embeddings', body))).toBe(
      'openai-embeddings',
    );
    expect(toolCallsOf(callOf('https://x.test/v1/embeddings', 'embeddings', body))).toEqual([]);
    expect(familyOf(callOf('https://x.test/other', 'constructor', body))).toBe('http');
    expect(toolCallsOf(callOf('https://x.test/other', 'http', body))).toEqual([]);
    const chatRoute = {
      family: 'openai-chat',
      api: 'chat.completions',
      path: '/v1/chat/completions',
    };
    expect(
      toolCallsOf({ ...callOf('https://x.test/other', 'http', body), route: chatRoute }),
    ).toHaveLength(2);
  });

  it('reads a Gemini reply sent as a JSON array of chunks (streaming without SSE)', () => {
    const chunks = geminiStream().map((e) => JSON.parse(e.data!) as unknown);
    const call = callOf('https://x.test/v1beta/models/m:streamGenerateContent', '', {
      body: chunks,
    });
    const views = toolCallsOf(call);
    expect(views.map((v) => v.name)).toEqual(['get_weather', 'web_search']);
    const out = withToolCalls(call, [
      views[0]!,
      { ...views[1]!, arguments: '{"query": "bistros"}' },
    ]);
    const body = out.response.body as {
      candidates: { content: { parts: { functionCall?: { args: unknown } }[] } }[];
    }[];
    expect(body[3]?.candidates[0]?.content.parts[0]?.functionCall?.args).toEqual({
      query: 'bistros',
    });
    expect(JSON.parse(toolCallsOf(out)[1]!.arguments)).toEqual({ query: 'bistros' });
  });

  it('reads a JSON bodyText and writes it back as text', () => {
    const call = callOf('https://x.test/v1/messages', 'messages', {
      bodyText: JSON.stringify(anthropicBody()),
    });
    const views = toolCallsOf(call);
    expect(views.map((v) => v.name)).toEqual(['get_weather', 'web_search']);
    const out = withToolCalls(call, [{ ...views[0]!, name: 'renamed' }, views[1]!]);
    expect(out.response.body).toBeUndefined();
    const parsed = JSON.parse(out.response.bodyText!) as { content: { name?: string }[] };
    expect(parsed.content[1]?.name).toBe('renamed');
  });
});

describe('streams with unusual shapes', () => {
  const anthropicCase = CASES.find((x) => x.family === 'anthropic-messages' && x.streamed)!;
  const chatCase = CASES.find((x) => x.family === 'openai-chat' && x.streamed)!;
  const responsesCase = CASES.find((x) => x.family === 'openai-responses' && x.streamed)!;

  it('Anthropic: a call streamed without input deltas gets one, at the time of its start', async () => {
    const events = anthropicStream().filter((e) => !(e.data ?? '').includes('input_json_delta'));
    const call = callOf('https://api.anthropic.com/v1/messages', 'messages', { stream: events });
    const views = toolCallsOf(call);
    expect(views.map((v) => v.arguments)).toEqual(['{}', '{}']);
    const out = withToolCalls(call, [views[0]!, { ...views[1]!, arguments: '{"q": 1}' }]);
    const stream = out.response.stream!;
    expect(stream).toHaveLength(events.length + 1);
    const start = stream.findIndex((e) => (e.data ?? '').includes('"toolu_s"'));
    expect(stream[start + 1]).toMatchObject({
      at: stream[start]!.at,
      event: 'content_block_delta',
    });
    await expectAssembled(anthropicCase, out, {
      text: TEXT,
      calls: [
        { name: 'get_weather', args: {} },
        { name: 'web_search', args: { q: 1 } },
      ],
    });
  });

  it('OpenAI chat: a call sent whole in one delta (compatible servers) is edited in that delta', async () => {
    const chunk = (delta: object, finish: string | null = null): object => ({
      id: 'c',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'm',
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
    const events = timed([
      [undefined, chunk({ role: 'assistant', content: TEXT })],
      [
        undefined,
        chunk({
          tool_calls: [
            {
              index: 0,
              id: 'call_a',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
            },
            {
              index: 1,
              id: 'call_b',
              type: 'function',
              function: { name: 'web_search', arguments: JSON.stringify(SEARCH) },
            },
          ],
        }),
      ],
      [undefined, chunk({}, 'tool_calls')],
      [undefined, '[DONE]'],
    ]);
    const call = callOf('https://api.groq.test/openai/v1/chat/completions', '', { stream: events });
    const views = toolCallsOf(call);
    expect(views.map((v) => v.arguments)).toEqual(['{"city":"Paris"}', JSON.stringify(SEARCH)]);
    const out = withToolCalls(call, [{ ...views[0]!, arguments: '{"city":"Nice"}' }, views[1]!]);
    expect(out.response.stream).toHaveLength(events.length);
    await expectAssembled(chatCase, out, {
      text: TEXT,
      calls: [{ name: 'get_weather', args: { city: 'Nice' } }, ORIGINAL[1]!],
    });
    const half = breakToolCalls(call, 'textThenHalfTool')!;
    await expectAssembled(chatCase, half, {
      text: TEXT + '{"name":"get_weather","arg',
      calls: [],
      finish: 'stop',
    });
  });

  it('Responses: a call with no argument deltas carries its text in the added item', async () => {
    // A fixture without deltas: the added items hold the arguments, the counter stays gapless.
    const full: Record<string, string> = {
      fc_w: JSON.stringify(WEATHER),
      fc_s: JSON.stringify(SEARCH),
    };
    const events = responsesStream()
      .filter((e) => e.event !== 'response.function_call_arguments.delta')
      .map((e, i) => {
        const ev = JSON.parse(e.data!) as {
          sequence_number: number;
          item?: { id: string; arguments?: string };
        };
        ev.sequence_number = i;
        if (e.event === 'response.output_item.added' && ev.item?.arguments !== undefined) {
          ev.item.arguments = full[ev.item.id] ?? '';
        }
        return { ...e, data: JSON.stringify(ev) };
      });
    expect(
      toolCallsOf(callOf('https://api.openai.com/v1/responses', '', { stream: events })).map(
        (v) => v.arguments,
      ),
    ).toEqual([full['fc_w'], full['fc_s']]);
    const call = callOf('https://api.openai.com/v1/responses', 'responses', { stream: events });
    const views = toolCallsOf(call);
    const out = withToolCalls(call, [{ ...views[0]!, arguments: '{"city":"Nice"}' }, views[1]!]);
    await expectAssembled(responsesCase, out, {
      text: TEXT,
      calls: [{ name: 'get_weather', args: { city: 'Nice' } }, ORIGINAL[1]!],
    });
  });

  /** Puts `extra` before the events from `before` on, with times and counters redone. */
  function spliced(
    events: StreamEvent[],
    before: string,
    extra: [string, object][],
  ): StreamEvent[] {
    const at = events.findIndex((e) => e.event === before);
    const added = extra.map(([type, rest]) => ({
      at: 0,
      event: type,
      data: JSON.stringify({ type, ...rest }),
    }));
    return [...events.slice(0, at), ...added, ...events.slice(at)].map((e, i) => {
      const ev = JSON.parse(e.data ?? '{}') as Record<string, unknown>;
      if ('sequence_number' in ev || e.event?.startsWith('response.')) ev['sequence_number'] = i;
      return { ...e, at: 100 + 10 * i, data: JSON.stringify(ev) };
    });
  }

  it('Anthropic: textThenHalfTool renumbers the blocks after a removed call', async () => {
    const events = spliced(anthropicStream(), 'message_delta', [
      ['content_block_start', { index: 3, content_block: { type: 'text', text: '' } }],
      ['content_block_delta', { index: 3, delta: { type: 'text_delta', text: ' Done.' } }],
      ['content_block_stop', { index: 3 }],
    ]);
    const call = callOf('https://api.anthropic.com/v1/messages', 'messages', { stream: events });
    const half = '{"name":"get_weather","arg';
    await expectAssembled(anthropicCase, breakToolCalls(call, 'textThenHalfTool')!, {
      text: TEXT + half + ' Done.',
      calls: [],
      finish: 'end_turn',
    });
  });

  it('Responses: textThenHalfTool renumbers the output items after a removed call', async () => {
    const ref = { item_id: 'msg_2', output_index: 3, content_index: 0 };
    const part = { type: 'output_text', annotations: [], logprobs: [], text: ' Done.' };
    const item = {
      id: 'msg_2',
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [part],
    };
    const events = spliced(responsesStream(), 'response.completed', [
      [
        'response.output_item.added',
        { output_index: 3, item: { ...item, status: 'in_progress', content: [] } },
      ],
      ['response.content_part.added', { ...ref, part: { ...part, text: '' } }],
      ['response.output_text.delta', { ...ref, delta: ' Done.', logprobs: [] }],
      ['response.output_text.done', { ...ref, text: ' Done.', logprobs: [] }],
      ['response.content_part.done', { ...ref, part }],
      ['response.output_item.done', { output_index: 3, item }],
    ]).map((e) => {
      if (e.event !== 'response.completed') return e;
      const ev = JSON.parse(e.data!) as { response: { output: object[] } };
      ev.response.output.push(item);
      return { ...e, data: JSON.stringify(ev) };
    });
    const call = callOf('https://api.openai.com/v1/responses', 'responses', { stream: events });
    expect(assembleResponses(call.response).text).toBe(TEXT + ' Done.');
    const half = '{"name":"get_weather","arg';
    const out = breakToolCalls(call, 'textThenHalfTool')!;
    await expectAssembled(responsesCase, out, { text: TEXT + half + ' Done.', calls: [] });
  });

  it('Responses: a rename rewrites only the events that name the call, byte for byte', () => {
    // Spaced JSON, as some servers send it: a needless re-serialisation would show.
    const events = responsesStream().map((e) => ({
      ...e,
      data: JSON.stringify(JSON.parse(e.data!), null, 1).replace(/\n */g, ''),
    }));
    const call = callOf('https://api.openai.com/v1/responses', 'responses', { stream: events });
    const out = breakToolCalls(call, 'toolName')!.response.stream!;
    const changed = out.flatMap((e, i) => (e.data === events[i]!.data ? [] : [e.event]));
    expect(changed).toEqual([
      'response.output_item.added',
      'response.output_item.done',
      'response.output_item.added',
      'response.output_item.done',
      'response.completed',
    ]);
  });

  it('Responses: removing deltas renumbers the counter without rewriting untouched events', () => {
    const call = responsesCase.build();
    const views = toolCallsOf(call);
    const out = withToolCalls(call, [{ ...views[0]!, arguments: '{}' }, views[1]!]);
    const old = call.response.stream!;
    const neu = out.response.stream!;
    const seqs = neu.map(
      (e) => (JSON.parse(e.data!) as { sequence_number: number }).sequence_number,
    );
    expect(seqs).toEqual(seqs.map((_, i) => i));
    // The message events before the call are byte-identical.
    expect(neu.slice(0, 9)).toEqual(old.slice(0, 9));
  });
});

// ---- the corpus of real traffic ----

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {};
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Family from the URL, written independently of the adapters' detection tables. */
function familyOfUrl(url: URL): WireFamily | null {
  const p = url.pathname;
  if (p.endsWith('/chat/completions')) return 'openai-chat';
  if (p.endsWith('/responses')) return 'openai-responses';
  if (p.endsWith('/v1/messages')) return 'anthropic-messages';
  if (/:(stream)?generateContent$/i.test(p)) return 'gemini';
  return null;
}

/** Names and arguments, read plainly from the raw JSON without the module under test. */
function plainReading(family: WireFamily, r: RecordedResponse): { name: string; args: unknown }[] {
  const docs = r.stream
    ? r.stream.flatMap((e) => {
        try {
          return e.data && e.data !== '[DONE]' ? [JSON.parse(e.data) as unknown] : [];
        } catch {
          return [];
        }
      })
    : [r.body];
  if (family === 'openai-chat' && !r.stream) {
    return asList(asObj(r.body)['choices']).flatMap((ch) =>
      asList(asObj(asObj(ch)['message'])['tool_calls']).flatMap((tc) => {
        const fn = asObj(asObj(tc)['function']);
        // OpenRouter sends no `arguments` at all for a call without any: that reads as ''.
        return 'name' in fn ? [{ name: String(fn['name']), args: fn['arguments'] ?? '' }] : [];
      }),
    );
  }
  if (family === 'openai-responses') {
    const final = r.stream
      ? docs.map((d) => asObj(d)).findLast((d) => d['type'] === 'response.completed')?.['response']
      : r.body;
    if (final === undefined) return plainCalls(ASSEMBLERS[family](r));
    return asList(asObj(final)['output'])
      .map(asObj)
      .filter((i) => i['type'] === 'function_call')
      .map((i) => ({ name: String(i['name']), args: i['arguments'] }));
  }
  if (family === 'gemini') {
    return docs.flatMap((d) =>
      asList(asObj(d)['candidates']).flatMap((c) =>
        asList(asObj(asObj(c)['content'])['parts']).flatMap((p) => {
          const fc = asObj(p)['functionCall'];
          return fc === undefined
            ? []
            : [{ name: String(asObj(fc)['name']), args: asObj(fc)['args'] ?? {} }];
        }),
      ),
    );
  }
  return ASSEMBLERS[family](r).calls.map(({ name, args }) => ({ name, args }));
}

const sameArgs = (family: WireFamily, text: string, wire: unknown): boolean =>
  objectFamily(family) ? JSON.stringify(JSON.parse(text)) === JSON.stringify(wire) : text === wire;

describe.skipIf(!corpusPresent)('corpus of real provider traffic', () => {
  const all = corpusPresent ? loadCorpusExchanges() : [];
  const cases = all.flatMap((ex) => {
    const family = familyOfUrl(ex.url);
    if (!family || ex.response.status !== 200) return [];
    return [{ ...ex, family, call: callOf(ex.request.url, '', ex.response) }];
  });

  it('finds the same tool calls as a plain reading, in every reply', () => {
    const tally: Record<string, number> = {};
    for (const { where, family, call } of cases) {
      const plain = plainReading(family, call.response);
      const views = toolCallsOf(call);
      expect(
        views.map((v) => v.name),
        where,
      ).toEqual(plain.map((p) => p.name));
      views.forEach((v, i) =>
        expect(sameArgs(family, v.arguments, plain[i]?.args), `${where} #${i}`).toBe(true),
      );
      if (plain.length > 0) {
        const key = `${family} ${call.response.stream ? 'stream' : 'body'}`;
        tally[key] = (tally[key] ?? 0) + 1;
      }
    }
    for (const key of [
      'openai-chat body',
      'openai-chat stream',
      'openai-responses body',
      'openai-responses stream',
      'anthropic-messages body',
      'gemini body',
      'gemini stream',
    ]) {
      expect(tally[key], key).toBeGreaterThan(0);
    }
  });

  it('writes edits and faults into real replies so that a plain reading sees them', () => {
    let checked = 0;
    for (const { where, family, call } of cases) {
      const views = toolCallsOf(call);
      if (views.length === 0) continue;
      checked++;
      expect(withToolCalls(call, views).response, where).toEqual(call.response);

      const edited = views.map((v, i) =>
        i === 0
          ? { ...v, name: 'edited_tool', arguments: argsTextOf(family, { edited: [1, 'two'] }) }
          : v,
      );
      const out = withToolCalls(call, edited);
      const plain = plainReading(family, out.response);
      expect(plain[0]?.name, where).toBe('edited_tool');
      expect(argsValue(plain[0]?.args), where).toEqual({ edited: [1, 'two'] });
      expect(toolCallsOf(out), where).toEqual(edited);

      const renamed = breakToolCalls(call, 'toolName')!;
      if (call.response.stream) {
        // Events the rename did not reach keep their recorded bytes, spacing and `1.0` included.
        const old = call.response.stream;
        const neu = renamed.response.stream!;
        expect(neu.length, where).toBe(old.length);
        neu.forEach((e, i) => {
          if (JSON.stringify(content(e)) === JSON.stringify(content(old[i]!))) {
            expect(e.data, where).toBe(old[i]!.data);
          }
        });
      }
      const names = plainReading(family, renamed.response).map((p) => p.name);
      expect(names, where).toHaveLength(views.length);
      names.forEach((n, i) => {
        expect(n.length, where).toBe(views[i]!.name.length - 1);
        expect(n, where).not.toBe(views[i]!.name);
      });

      const half = breakToolCalls(call, 'textThenHalfTool')!;
      expect(plainReading(family, half.response), where).toEqual([]);
    }
    expect(checked).toBeGreaterThan(50);
  });
});

if (!corpusPresent) {
  console.warn(
    `tool-calls: corpus tests skipped, no corpus at ${corpusDir} (a clone without ../shared has none)`,
  );
}
