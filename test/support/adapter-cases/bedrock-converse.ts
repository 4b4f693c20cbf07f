/** Bedrock Converse rows of the adapter contract table. */
import {
  MODEL_ARN,
  MODEL_ID,
  REQUEST,
  STREAM_EVENTS,
  STREAM_TEXT,
  TEXT_REPLY,
  TOOL_REPLY,
  conversePath,
} from '../bedrock-wire.js';
import type { AdapterCase } from './case.js';

const JSON_HEADERS = { 'content-type': 'application/json' };

export const cases: AdapterCase[] = [
  {
    name: 'bedrock converse: text, cache reads count as input',
    family: 'bedrock-converse',
    path: conversePath(MODEL_ID, false),
    api: 'converse',
    request: REQUEST,
    model: MODEL_ID,
    response: { status: 200, headers: JSON_HEADERS, body: TEXT_REPLY },
    usage: {
      inputTokens: 18 + 1024,
      outputTokens: 9,
      cacheReadTokens: 1024,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    },
    replyText: 'Paris is the capital of France.',
    toolCalls: [],
  },
  {
    name: 'bedrock converse: toolUse block',
    family: 'bedrock-converse',
    path: conversePath(MODEL_ID, false),
    api: 'converse',
    request: REQUEST,
    model: MODEL_ID,
    response: { status: 200, headers: JSON_HEADERS, body: TOOL_REPLY },
    usage: {
      inputTokens: 391,
      outputTokens: 58,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    },
    replyText: 'Let me check the weather.',
    toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' } }],
  },
  {
    name: 'bedrock converse-stream: an inference-profile ARN, text and a streamed tool call',
    family: 'bedrock-converse',
    path: conversePath(MODEL_ARN, true),
    api: 'converse-stream',
    request: REQUEST,
    model: MODEL_ARN,
    response: {
      status: 200,
      headers: { 'content-type': 'application/vnd.amazon.eventstream' },
      stream: STREAM_EVENTS.map((e, i) => ({
        at: 100 + i * 10,
        event: e.type,
        data: JSON.stringify(e.payload),
      })),
    },
    usage: {
      inputTokens: 402,
      outputTokens: 61,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    },
    replyText: STREAM_TEXT,
    toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }],
  },
];
