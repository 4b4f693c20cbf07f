/**
 * Hand-written replies of each family with tool calls (from the documented wire formats, see
 * ../shared/reference/llm-wire.md §1), and small independent assemblers that read tool calls and
 * text back out of a reply the way a client would, checking the format as they go.
 */
import type { Call, RecordedResponse, StreamEvent } from '../../shared/schema.js';

export type WireFamily = 'openai-chat' | 'openai-responses' | 'anthropic-messages' | 'gemini';

export interface AssembledCall {
  id: string | null;
  name: string;
  /** As sent: a string for OpenAI families, the object for Anthropic and Gemini. */
  args: unknown;
}

export interface Assembled {
  text: string;
  calls: AssembledCall[];
  /** finish_reason / stop_reason where the family has one. */
  finish: string | null;
}

export function callOf(
  url: string,
  api: string,
  response: Omit<RecordedResponse, 'status' | 'headers'>,
): Call {
  return {
    id: 'c_test',
    seq: 1,
    recordedAt: '2026-01-01T00:00:00.000Z',
    upstream: 'test',
    provider: 'test',
    api,
    model: null,
    request: { method: 'POST', url, headers: {}, body: {} },
    response: { status: 200, headers: {}, ...response },
    outcome: 'complete',
    timing: { ttfbMs: 0, totalMs: 0 },
    usage: null,
    costUsd: null,
    costSource: 'none',
    signature: {},
  };
}

/** Events 10 ms apart from 100 ms, so every event has its own time. */
export function timed(list: readonly (readonly [string | undefined, unknown])[]): StreamEvent[] {
  return list.map(([event, data], i) => ({
    at: 100 + 10 * i,
    ...(event !== undefined ? { event } : {}),
    data: typeof data === 'string' ? data : JSON.stringify(data),
  }));
}

export const WEATHER = { city: 'Paris' };
export const SEARCH = { query: 'restaurants in Paris', limit: 3 };
export const TEXT = 'Let me check.';

// ---- OpenAI Chat Completions ----

function chatChunk(delta: object, finish: string | null = null): object {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    usage: null,
  };
}

export const chatBody = (withTools = true): unknown => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-mini',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: TEXT,
        refusal: null,
        ...(withTools
          ? {
              tool_calls: [
                {
                  id: 'call_w',
                  type: 'function',
                  function: { name: 'get_weather', arguments: JSON.stringify(WEATHER) },
                },
                {
                  id: 'call_s',
                  type: 'function',
                  function: { name: 'web_search', arguments: JSON.stringify(SEARCH) },
                },
              ],
            }
          : {}),
      },
      logprobs: null,
      finish_reason: withTools ? 'tool_calls' : 'stop',
    },
  ],
  usage: { prompt_tokens: 20, completion_tokens: 30, total_tokens: 50 },
});

export const chatStream = (withTools = true): StreamEvent[] =>
  timed([
    [undefined, chatChunk({ role: 'assistant', content: '' })],
    [undefined, chatChunk({ content: 'Let me ' })],
    [undefined, chatChunk({ content: 'check.' })],
    ...(withTools
      ? ([
          [
            undefined,
            chatChunk({
              tool_calls: [
                {
                  index: 0,
                  id: 'call_w',
                  type: 'function',
                  function: { name: 'get_weather', arguments: '' },
                },
              ],
            }),
          ],
          [undefined, chatChunk({ tool_calls: [{ index: 0, function: { arguments: '{"ci' } }] })],
          [
            undefined,
            chatChunk({ tool_calls: [{ index: 0, function: { arguments: 'ty":"Par' } }] }),
          ],
          [undefined, chatChunk({ tool_calls: [{ index: 0, function: { arguments: 'is"}' } }] })],
          [
            undefined,
            chatChunk({
              tool_calls: [
                {
                  index: 1,
                  id: 'call_s',
                  type: 'function',
                  function: { name: 'web_search', arguments: '' },
                },
              ],
            }),
          ],
          [
            undefined,
            chatChunk({
              tool_calls: [{ index: 1, function: { arguments: '{"query":"restaurants' } }],
            }),
          ],
          [
            undefined,
            chatChunk({
              tool_calls: [{ index: 1, function: { arguments: ' in Paris","limit":3}' } }],
            }),
          ],
        ] as const)
      : []),
    [undefined, chatChunk({}, withTools ? 'tool_calls' : 'stop')],
    [
      undefined,
      {
        ...chatChunk({}),
        choices: [],
        usage: { prompt_tokens: 20, completion_tokens: 30, total_tokens: 50 },
      },
    ],
    [undefined, '[DONE]'],
  ]);

interface ChatToolDelta {
  index: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}
interface ChatChunk {
  choices: {
    delta: { content?: string | null; tool_calls?: ChatToolDelta[] };
    finish_reason: string | null;
  }[];
}
interface ChatBody {
  choices: {
    message: {
      content: string | null;
      tool_calls?: { id?: string; function: { name: string; arguments: string } }[];
    };
    finish_reason: string;
  }[];
}

export function assembleChat(r: RecordedResponse): Assembled {
  if (!r.stream) {
    const choice = (r.body as ChatBody).choices[0];
    const m = choice?.message;
    return {
      text: m?.content ?? '',
      calls: (m?.tool_calls ?? []).map((tc) => ({
        id: tc.id ?? null,
        name: tc.function.name,
        args: tc.function.arguments,
      })),
      finish: choice?.finish_reason ?? null,
    };
  }
  const calls: { id: string | null; name: string; args: string }[] = [];
  let text = '';
  let finish: string | null = null;
  for (const e of r.stream) {
    if (e.data === undefined || e.data.trim() === '[DONE]') continue;
    for (const choice of (JSON.parse(e.data) as ChatChunk).choices) {
      if (typeof choice.delta.content === 'string') text += choice.delta.content;
      for (const tc of choice.delta.tool_calls ?? []) {
        if (typeof tc.index !== 'number') throw new Error('tool call delta without an index');
        const call = (calls[tc.index] ??= { id: null, name: '', args: '' });
        if (tc.id) call.id = tc.id;
        if (tc.function?.name) call.name = tc.function.name;
        if (tc.function?.arguments) call.args += tc.function.arguments;
      }
      finish = choice.finish_reason ?? finish;
    }
  }
  return { text, calls, finish };
}

// ---- OpenAI Responses ----

const fcItem = (
  id: string,
  callId: string,
  name: string,
  args: string,
  status: string,
): object => ({
  id,
  type: 'function_call',
  status,
  arguments: args,
  call_id: callId,
  name,
});
const msgItem = (text: string | null): object => ({
  id: 'msg_1',
  type: 'message',
  status: text === null ? 'in_progress' : 'completed',
  role: 'assistant',
  content: text === null ? [] : [{ type: 'output_text', annotations: [], logprobs: [], text }],
});

function responseObject(status: string, output: object[]): object {
  return {
    id: 'resp_1',
    object: 'response',
    created_at: 1,
    status,
    model: 'gpt-5',
    output,
    usage:
      status === 'completed' ? { input_tokens: 20, output_tokens: 30, total_tokens: 50 } : null,
  };
}

function responsesOutput(withTools: boolean): object[] {
  return [
    msgItem(TEXT),
    ...(withTools
      ? [
          fcItem('fc_w', 'call_w', 'get_weather', JSON.stringify(WEATHER), 'completed'),
          fcItem('fc_s', 'call_s', 'web_search', JSON.stringify(SEARCH), 'completed'),
        ]
      : []),
  ];
}

export const responsesBody = (withTools = true): unknown =>
  responseObject('completed', responsesOutput(withTools));

export function responsesStream(withTools = true): StreamEvent[] {
  const part = { type: 'output_text', annotations: [], logprobs: [], text: '' };
  const list: [string, object][] = [
    ['response.created', { response: responseObject('in_progress', []) }],
    ['response.in_progress', { response: responseObject('in_progress', []) }],
    ['response.output_item.added', { output_index: 0, item: msgItem(null) }],
    ['response.content_part.added', { item_id: 'msg_1', output_index: 0, content_index: 0, part }],
    [
      'response.output_text.delta',
      { item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'Let me ', logprobs: [] },
    ],
    [
      'response.output_text.delta',
      { item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'check.', logprobs: [] },
    ],
    [
      'response.output_text.done',
      { item_id: 'msg_1', output_index: 0, content_index: 0, text: TEXT, logprobs: [] },
    ],
    [
      'response.content_part.done',
      { item_id: 'msg_1', output_index: 0, content_index: 0, part: { ...part, text: TEXT } },
    ],
    ['response.output_item.done', { output_index: 0, item: msgItem(TEXT) }],
  ];
  if (withTools) {
    const call = (oi: number, id: string, callId: string, name: string, pieces: string[]): void => {
      const args = pieces.join('');
      list.push([
        'response.output_item.added',
        { output_index: oi, item: fcItem(id, callId, name, '', 'in_progress') },
      ]);
      for (const delta of pieces)
        list.push([
          'response.function_call_arguments.delta',
          { item_id: id, output_index: oi, delta },
        ]);
      list.push([
        'response.function_call_arguments.done',
        { item_id: id, output_index: oi, arguments: args },
      ]);
      list.push([
        'response.output_item.done',
        { output_index: oi, item: fcItem(id, callId, name, args, 'completed') },
      ]);
    };
    call(1, 'fc_w', 'call_w', 'get_weather', ['{"ci', 'ty":"Par', 'is"}']);
    call(2, 'fc_s', 'call_s', 'web_search', ['{"query":"restaurants', ' in Paris","limit":3}']);
  }
  list.push([
    'response.completed',
    { response: responseObject('completed', responsesOutput(withTools)) },
  ]);
  return timed(
    list.map(([type, rest], i) => [type, { type, sequence_number: i, ...rest }] as const),
  );
}

interface RItem {
  id?: string;
  type: string;
  call_id?: string;
  name?: string;
  arguments?: string;
  content?: { type: string; text?: string }[];
}
interface REvent {
  type: string;
  sequence_number?: number;
  output_index?: number;
  content_index?: number;
  item?: RItem;
  delta?: string;
  text?: string;
  arguments?: string;
  response?: { output: RItem[] };
}

function fromOutput(output: readonly RItem[]): Assembled {
  let text = '';
  const calls: AssembledCall[] = [];
  for (const item of output) {
    if (item.type === 'message')
      for (const p of item.content ?? []) text += p.type === 'output_text' ? (p.text ?? '') : '';
    if (item.type === 'function_call')
      calls.push({ id: item.call_id ?? null, name: item.name ?? '', args: item.arguments ?? '' });
  }
  return { text, calls, finish: null };
}

/**
 * Reads a Responses stream twice, from the events (added items, deltas, `.done` events) and from
 * the final response object, and throws where the two disagree or the events break the format
 * (counter gaps, an index that names no item, a delta for the wrong kind of item).
 */
export function assembleResponses(r: RecordedResponse): Assembled {
  if (!r.stream) return fromOutput((r.body as { output: RItem[] }).output);
  const items: RItem[] = [];
  let final: RItem[] | undefined;
  let seq: number | undefined;
  for (const e of r.stream) {
    const ev = JSON.parse(e.data ?? '') as REvent;
    if (e.event !== undefined && e.event !== ev.type)
      throw new Error(`event name ${e.event} for ${ev.type}`);
    if (ev.sequence_number !== undefined) {
      if (seq !== undefined && ev.sequence_number !== seq + 1)
        throw new Error(`sequence ${ev.sequence_number} after ${seq}`);
      seq = ev.sequence_number;
    }
    const oi = ev.output_index;
    const at = (want: string): RItem => {
      const item = oi === undefined ? undefined : items[oi];
      if (!item || item.type !== want)
        throw new Error(`${ev.type}: output ${String(oi)} is not a ${want}`);
      return item;
    };
    switch (ev.type) {
      case 'response.output_item.added':
        if (oi !== items.length)
          throw new Error(`item added at ${String(oi)}, expected ${items.length}`);
        items.push(structuredClone(ev.item as RItem));
        break;
      case 'response.output_item.done':
        at((ev.item as RItem).type);
        items[oi as number] = structuredClone(ev.item as RItem);
        break;
      case 'response.content_part.added': {
        // Reasoning items may have parts too; only message text is read here.
        const item = oi === undefined ? undefined : items[oi];
        if (!item) throw new Error(`part added to missing output ${String(oi)}`);
        if (item.type === 'message') item.content?.push({ type: 'output_text', text: '' });
        break;
      }
      case 'response.output_text.delta': {
        const part = at('message').content?.[ev.content_index ?? 0];
        if (!part) throw new Error('text delta for a missing part');
        part.text = (part.text ?? '') + (ev.delta ?? '');
        break;
      }
      case 'response.output_text.done':
        if (at('message').content?.[ev.content_index ?? 0]?.text !== ev.text)
          throw new Error('text.done disagrees with deltas');
        break;
      case 'response.function_call_arguments.delta':
        at('function_call').arguments = (at('function_call').arguments ?? '') + (ev.delta ?? '');
        break;
      case 'response.function_call_arguments.done':
        if (at('function_call').arguments !== ev.arguments)
          throw new Error('arguments.done disagrees with deltas');
        break;
      default:
        if (ev.type === 'response.completed') final = ev.response?.output;
    }
  }
  const fromEvents = fromOutput(items);
  if (!final) return fromEvents;
  const fromFinal = fromOutput(final);
  if (JSON.stringify(fromEvents) !== JSON.stringify(fromFinal)) {
    throw new Error(
      `events and response.completed disagree: ${JSON.stringify(fromEvents)} vs ${JSON.stringify(fromFinal)}`,
    );
  }
  return fromFinal;
}

// ---- Anthropic Messages ----

export const anthropicBody = (withTools = true): unknown => ({
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5',
  content: [
    { type: 'text', text: TEXT },
    ...(withTools
      ? [
          { type: 'tool_use', id: 'toolu_w', name: 'get_weather', input: WEATHER },
          { type: 'tool_use', id: 'toolu_s', name: 'web_search', input: SEARCH },
        ]
      : []),
  ],
  stop_reason: withTools ? 'tool_use' : 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 20, output_tokens: 30 },
});

export function anthropicStream(withTools = true): StreamEvent[] {
  const list: [string, object][] = [
    [
      'message_start',
      {
        message: {
          ...(anthropicBody(false) as object),
          content: [],
          stop_reason: null,
          usage: { input_tokens: 20, output_tokens: 1 },
        },
      },
    ],
    ['content_block_start', { index: 0, content_block: { type: 'text', text: '' } }],
    ['content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Let me ' } }],
    ['ping', {}],
    ['content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'check.' } }],
    ['content_block_stop', { index: 0 }],
  ];
  if (withTools) {
    const call = (index: number, id: string, name: string, pieces: string[]): void => {
      list.push([
        'content_block_start',
        { index, content_block: { type: 'tool_use', id, name, input: {} } },
      ]);
      for (const partial_json of pieces)
        list.push([
          'content_block_delta',
          { index, delta: { type: 'input_json_delta', partial_json } },
        ]);
      list.push(['content_block_stop', { index }]);
    };
    call(1, 'toolu_w', 'get_weather', ['', '{"city": "Pa', 'ris"}']);
    call(2, 'toolu_s', 'web_search', ['{"query": "restaurants in Paris",', ' "limit": 3}']);
  }
  list.push([
    'message_delta',
    {
      delta: { stop_reason: withTools ? 'tool_use' : 'end_turn', stop_sequence: null },
      usage: { output_tokens: 30 },
    },
  ]);
  list.push(['message_stop', {}]);
  return timed(list.map(([type, rest]) => [type, { type, ...rest }] as const));
}

interface ABlock {
  type: string;
  id?: string;
  name?: string;
  input?: unknown;
  text?: string;
}
interface AEvent {
  type: string;
  index?: number;
  content_block?: ABlock;
  delta?: { type?: string; text?: string; partial_json?: string; stop_reason?: string };
}

function fromBlocks(blocks: readonly ABlock[], finish: string | null): Assembled {
  return {
    text: blocks.map((b) => (b.type === 'text' ? (b.text ?? '') : '')).join(''),
    calls: blocks
      .filter((b) => b.type === 'tool_use')
      .map((b) => ({ id: b.id ?? null, name: b.name ?? '', args: b.input })),
    finish,
  };
}

/** Throws where indexes are not the block positions or a delta does not fit its block. */
export function assembleAnthropic(r: RecordedResponse): Assembled {
  if (!r.stream) {
    const body = r.body as { content: ABlock[]; stop_reason: string };
    return fromBlocks(body.content, body.stop_reason);
  }
  const blocks: (ABlock & { json: string; open: boolean })[] = [];
  let finish: string | null = null;
  for (const e of r.stream) {
    const ev = JSON.parse(e.data ?? '') as AEvent;
    if (e.event !== ev.type) throw new Error(`event name ${String(e.event)} for ${ev.type}`);
    const block = ev.index === undefined ? undefined : blocks[ev.index];
    if (ev.type === 'content_block_start') {
      if (ev.index !== blocks.length)
        throw new Error(`block started at ${String(ev.index)}, expected ${blocks.length}`);
      blocks.push({ ...(ev.content_block as ABlock), json: '', open: true });
    } else if (ev.type === 'content_block_delta') {
      if (!block?.open) throw new Error(`delta for block ${String(ev.index)}, which is not open`);
      const kind = ev.delta?.type;
      // Server-side tools (server_tool_use, mcp_tool_use) stream their input the same way.
      const fits =
        kind === 'text_delta'
          ? block.type === 'text'
          : kind === 'input_json_delta'
            ? block.type.endsWith('tool_use')
            : true;
      if (!fits) throw new Error(`${String(kind)} for a ${block.type} block`);
      if (kind === 'text_delta') block.text = (block.text ?? '') + (ev.delta?.text ?? '');
      if (kind === 'input_json_delta') block.json += ev.delta?.partial_json ?? '';
    } else if (ev.type === 'content_block_stop') {
      if (!block?.open) throw new Error(`stop for block ${String(ev.index)}, which is not open`);
      block.open = false;
    } else if (ev.type === 'message_delta') {
      finish = ev.delta?.stop_reason ?? finish;
    }
  }
  const done = blocks.map(({ json, open: _open, ...b }) =>
    b.type === 'tool_use' && json !== '' ? { ...b, input: JSON.parse(json) as unknown } : b,
  );
  return fromBlocks(done, finish);
}

// ---- Gemini ----

const geminiChunk = (parts: object[], last: boolean): object => ({
  candidates: [
    { content: { parts, role: 'model' }, index: 0, ...(last ? { finishReason: 'STOP' } : {}) },
  ],
  usageMetadata: { promptTokenCount: 20, candidatesTokenCount: 30, totalTokenCount: 50 },
  modelVersion: 'gemini-2.5-flash',
  responseId: 'r1',
});

const geminiParts = (withTools: boolean): object[][] => [
  [{ text: 'Let me ' }],
  [{ text: 'check.' }],
  ...(withTools
    ? [
        [{ functionCall: { name: 'get_weather', args: WEATHER }, thoughtSignature: 'c2ln' }],
        [{ functionCall: { id: 'fc_s', name: 'web_search', args: SEARCH } }],
      ]
    : []),
];

export const geminiBody = (withTools = true): unknown =>
  geminiChunk(geminiParts(withTools).flat(), true);

export const geminiStream = (withTools = true): StreamEvent[] => {
  const all = geminiParts(withTools);
  return timed(
    all.map((parts, i) => [undefined, geminiChunk(parts, i === all.length - 1)] as const),
  );
};

interface GPart {
  text?: string;
  functionCall?: { id?: string; name: string; args?: unknown };
}

export function assembleGemini(r: RecordedResponse): Assembled {
  const chunks = r.stream ? r.stream.map((e) => JSON.parse(e.data ?? '') as unknown) : [r.body];
  let text = '';
  const calls: AssembledCall[] = [];
  for (const chunk of chunks) {
    for (const c of (chunk as { candidates?: { content?: { parts?: GPart[] } }[] }).candidates ??
      []) {
      for (const p of c.content?.parts ?? []) {
        if (typeof p.text === 'string') text += p.text;
        if (p.functionCall)
          calls.push({
            id: p.functionCall.id ?? null,
            name: p.functionCall.name,
            args: p.functionCall.args ?? {},
          });
      }
    }
  }
  return { text, calls, finish: null };
}

export const ASSEMBLERS: Readonly<Record<WireFamily, (r: RecordedResponse) => Assembled>> = {
  'openai-chat': assembleChat,
  'openai-responses': assembleResponses,
  'anthropic-messages': assembleAnthropic,
  gemini: assembleGemini,
};

/** The arguments as a value, whichever way the family sends them. */
export function argsValue(args: unknown): unknown {
  return typeof args === 'string' ? (JSON.parse(args) as unknown) : args;
}
