/**
 * Recorded calls of each wire family, streamed and not, built from the fake upstream's fixtures:
 * inputs for the pure fault transforms, with no server in between.
 */
import { Call, type StreamEvent } from '../../shared/schema.js';
import { fixtures } from './fake-upstream.js';

export type Family = 'openai-chat' | 'openai-responses' | 'anthropic-messages' | 'gemini';

export const FAMILIES: readonly Family[] = [
  'openai-chat',
  'openai-responses',
  'anthropic-messages',
  'gemini',
];

interface Shape {
  upstream: string;
  api: string;
  model: string;
  path: (stream: boolean) => string;
  body: () => unknown;
  events: () => Array<{ event?: string; data: string }>;
}

const SHAPES: Readonly<Record<Family, Shape>> = {
  'openai-chat': {
    upstream: 'openai',
    api: 'chat.completions',
    model: 'gpt-4o-mini',
    path: () => '/v1/chat/completions',
    body: () => fixtures.openaiChat,
    events: () => [
      ...fixtures.openaiChatStream.chunks.map((c) => ({ data: JSON.stringify(c) })),
      { data: '[DONE]' },
    ],
  },
  'openai-responses': {
    upstream: 'openai',
    api: 'responses',
    model: 'gpt-4.1-mini',
    path: () => '/v1/responses',
    body: () => fixtures.openaiResponsesStream.events.at(-1)?.['response'],
    events: () =>
      fixtures.openaiResponsesStream.events.map((e) => ({
        event: String(e['type']),
        data: JSON.stringify(e),
      })),
  },
  'anthropic-messages': {
    upstream: 'anthropic',
    api: 'messages',
    model: 'claude-sonnet-4-6',
    path: () => '/v1/messages',
    body: () => fixtures.anthropicMessages,
    events: () =>
      fixtures.anthropicMessagesStream.events.map((e) => ({
        event: e.event,
        data: JSON.stringify(e.data),
      })),
  },
  gemini: {
    upstream: 'gemini',
    api: 'generateContent',
    model: 'gemini-2.5-flash',
    path: (stream) =>
      `/v1beta/models/gemini-2.5-flash:${stream ? 'streamGenerateContent' : 'generateContent'}`,
    body: () => fixtures.geminiGenerate,
    events: () => fixtures.geminiStream.chunks.map((c) => ({ data: JSON.stringify(c) })),
  },
};

/** A schema-valid call of `family`; a streamed one has its events 10 ms apart from 100 ms. */
export function recordedCall(family: Family, stream: boolean): Call {
  const s = SHAPES[family];
  const path = s.path(stream);
  const events: StreamEvent[] = s.events().map((e, i) => ({ at: 100 + 10 * i, ...e }));
  const response = stream
    ? { status: 200, headers: { 'content-type': 'text/event-stream' }, stream: events }
    : { status: 200, headers: { 'content-type': 'application/json' }, body: s.body() };
  return Call.parse({
    id: `c_${family}_${stream ? 'stream' : 'json'}`,
    seq: 1,
    recordedAt: '2026-01-01T00:00:00.000Z',
    upstream: s.upstream,
    provider: s.upstream,
    api: s.api,
    model: s.model,
    request: {
      method: 'POST',
      url: `https://example.invalid${path}`,
      headers: {},
      body: { model: s.model, stream },
    },
    response,
    outcome: 'complete',
    timing: { ttfbMs: 100, totalMs: stream ? (events.at(-1)?.at ?? 100) : 120 },
    usage: null,
    costUsd: null,
    costSource: 'none',
    signature: { upstream: s.upstream, method: 'POST', path },
  });
}
