import type { Call } from '../shared/schema.js';
import { buildCall } from './calls.js';
import { openaiChat, type Turn } from './provider-calls.js';
import { seededRandom } from './random.js';

const RECORDED_AT = '2026-10-01T12:00:00.000Z';
const CREATED = Date.parse(RECORDED_AT) / 1000;

const SYSTEM =
  'You are a support assistant for an online bookshop. Answer in two short paragraphs.';
const PROMPT =
  'My order #48213 shipped on Monday but the tracking page still says "label created". ' +
  'Should I worry, and when can I ask for a refund?';
const REPLY =
  'A "label created" status usually means the carrier has not scanned the parcel yet. This ' +
  'often happens when a shipment is handed over in a batch at the end of the day, and the first ' +
  'scan can take one to two business days to appear on the tracking page.\n\nIf the status has ' +
  'not changed after three business days, reply to your shipping confirmation email and we will ' +
  'open an investigation with the carrier. Refunds or replacements for lost parcels are offered ' +
  'once the carrier confirms the loss, usually within five business days of the investigation.';

/**
 * The figure-1 call: a non-streamed OpenAI chat completion of about 1 KB, as a recorder would
 * have stored it.
 */
export function chatCompletionCall(): Call {
  const turn: Turn = {
    id: 'BenchThroughput0001',
    model: 'gpt-4o-mini-2024-07-18',
    system: SYSTEM,
    prompt: PROMPT,
    reply: [REPLY],
    stream: false,
    created: CREATED,
  };
  const wire = openaiChat(turn);
  wire.responseHeaders = {
    ...wire.responseHeaders,
    'openai-organization': 'bench-org',
    'openai-processing-ms': '612',
    'openai-version': '2020-10-01',
    'x-ratelimit-limit-requests': '10000',
    'x-ratelimit-remaining-requests': '9999',
    'x-ratelimit-reset-requests': '6ms',
  };
  return buildCall({
    seq: 1,
    upstream: 'openai',
    provider: 'openai',
    model: turn.model,
    wire,
    recordedAt: RECORDED_AT,
    ttfbMs: 640,
    totalMs: 655,
    costUsd: 0.0000729,
    costSource: 'price-table',
  });
}

/**
 * The characters of reply text in each content delta of `streamedChatCall`. aimock slices a reply
 * into deltas of this many characters (its `--chunk-size`, default 20), so with fixed-size deltas
 * it can send the same events as the recording.
 */
export const STREAM_CHUNK_CHARS = 20;

/**
 * The figure-1 call streamed: the same request with `stream: true` (and usage in the stream), the
 * same reply as SSE deltas of STREAM_CHUNK_CHARS characters.
 */
export function streamedChatCall(): Call {
  const reply: string[] = [];
  for (let i = 0; i < REPLY.length; i += STREAM_CHUNK_CHARS)
    reply.push(REPLY.slice(i, i + STREAM_CHUNK_CHARS));
  const turn: Turn = {
    id: 'BenchThroughputStream0001',
    model: 'gpt-4o-mini-2024-07-18',
    system: SYSTEM,
    prompt: PROMPT,
    reply,
    stream: true,
    created: CREATED,
  };
  const wire = openaiChat(turn);
  const ttfbMs = 420;
  return buildCall({
    seq: 1,
    upstream: 'openai',
    provider: 'openai',
    model: turn.model,
    wire,
    recordedAt: RECORDED_AT,
    ttfbMs,
    // Replayed with --timing instant: the offsets only have to be plausible.
    eventTimesMs: (wire.events ?? []).map((_, i) => ttfbMs + 12 * i),
    costUsd: 0.0000729,
    costSource: 'price-table',
  });
}

export const SSE_EVENT_COUNT = 100;

/**
 * The figure-4 call: an OpenAI chat completion stream of exactly SSE_EVENT_COUNT events, the first
 * at `ttfbMs + 15` and the rest 10–30 ms apart (seeded, irregular gaps, so a replayer that
 * ignores the recorded offsets cannot look right by accident).
 */
export function streamedCall(): Call {
  // openaiChat adds four events around the content deltas: role, finish, usage, [DONE].
  const deltas = SSE_EVENT_COUNT - 4;
  const words = REPLY.split(/(?<= )/);
  const turn: Turn = {
    id: 'BenchStream0001',
    model: 'gpt-4o-mini-2024-07-18',
    system: SYSTEM,
    prompt: PROMPT,
    reply: Array.from({ length: deltas }, (_, i) => words[i % words.length] as string),
    stream: true,
    created: CREATED,
  };
  const wire = openaiChat(turn);
  const ttfbMs = 180;
  const random = seededRandom(4);
  let at = ttfbMs + 15;
  const eventTimesMs = (wire.events ?? []).map((_, i) => {
    if (i > 0) at += 10 + Math.floor(random() * 21);
    return at;
  });
  return buildCall({
    seq: 1,
    upstream: 'openai',
    provider: 'openai',
    model: turn.model,
    wire,
    recordedAt: RECORDED_AT,
    ttfbMs,
    eventTimesMs,
    costUsd: 0.0000729,
    costSource: 'price-table',
  });
}
