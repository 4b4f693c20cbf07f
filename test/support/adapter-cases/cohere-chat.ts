/** Cohere v2 chat rows of the adapter contract table. */
import {
  MODEL,
  REQUEST,
  STREAM_EVENTS,
  STREAM_TEXT,
  TEXT_REPLY,
  TOOL_REPLY,
} from '../cohere-wire.js';
import type { AdapterCase } from './case.js';

const JSON_HEADERS = { 'content-type': 'application/json' };
const billed = (inputTokens: number, outputTokens: number) => ({
  inputTokens,
  outputTokens,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
});

export const cases: AdapterCase[] = [
  {
    name: 'cohere chat: text, usage is the billed units',
    family: 'cohere-chat',
    path: '/v2/chat',
    api: 'chat',
    request: REQUEST,
    model: MODEL,
    response: { status: 200, headers: JSON_HEADERS, body: TEXT_REPLY },
    usage: billed(17, 6),
    replyText: 'Toronto is sunny today.',
    toolCalls: [],
  },
  {
    name: 'cohere chat: a tool call with a tool plan',
    family: 'cohere-chat',
    path: '/v2/chat',
    api: 'chat',
    request: REQUEST,
    model: MODEL,
    response: { status: 200, headers: JSON_HEADERS, body: TOOL_REPLY },
    usage: billed(37, 19),
    replyText: null,
    toolCalls: [{ name: 'get_weather', arguments: { location: 'Toronto' } }],
  },
  {
    name: 'cohere chat stream: text, a streamed tool call, usage in message-end',
    family: 'cohere-chat',
    path: '/v2/chat',
    api: 'chat',
    request: { ...REQUEST, stream: true },
    model: MODEL,
    response: {
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      stream: STREAM_EVENTS.map((e, i) => ({
        at: 80 + i * 5,
        event: String(e['type']),
        data: JSON.stringify(e),
      })),
    },
    usage: billed(37, 21),
    replyText: STREAM_TEXT,
    toolCalls: [{ name: 'get_weather', arguments: { location: 'Toronto' } }],
  },
];
