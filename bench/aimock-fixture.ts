import type { Call } from '../shared/schema.js';

// aimock (@copilotkit/aimock) does not replay recorded bytes: it builds each OpenAI reply from a
// fixture (the reply text plus overrides for id, created, model, usage, system fingerprint) and,
// for a stream, slices the text into deltas of `chunkSize` characters. This module turns a recorded
// chat completion into such a fixture, and says what "the same reply" means for a server that
// writes its own JSON.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function objectAt(v: unknown, what: string): JsonObject {
  if (!isObject(v)) throw new Error(`recorded call: ${what} is not an object`);
  return v;
}

function stringAt(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new Error(`recorded call: ${what} is not a string`);
  return v;
}

function numberAt(v: unknown, what: string): number {
  if (typeof v !== 'number') throw new Error(`recorded call: ${what} is not a number`);
  return v;
}

/** What aimock's text response carries, read from one recorded completion (or its first chunk). */
interface ReplyParts {
  content: string;
  id: string;
  created: number;
  model: string;
  systemFingerprint: string;
  finishReason: string;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

function usageOf(v: unknown): ReplyParts['usage'] {
  const u = objectAt(v, 'usage');
  return {
    prompt_tokens: numberAt(u.prompt_tokens, 'usage.prompt_tokens'),
    completion_tokens: numberAt(u.completion_tokens, 'usage.completion_tokens'),
    total_tokens: numberAt(u.total_tokens, 'usage.total_tokens'),
  };
}

function envelopeOf(
  v: JsonObject,
): Pick<ReplyParts, 'id' | 'created' | 'model' | 'systemFingerprint'> {
  return {
    id: stringAt(v.id, 'id'),
    created: numberAt(v.created, 'created'),
    model: stringAt(v.model, 'model'),
    systemFingerprint: stringAt(v.system_fingerprint, 'system_fingerprint'),
  };
}

function firstChoice(v: JsonObject): JsonObject {
  const choices = v.choices;
  if (!Array.isArray(choices) || choices.length !== 1)
    throw new Error('recorded call: expected exactly one choice');
  return objectAt(choices[0], 'choices[0]');
}

function partsOfCompletion(body: unknown): ReplyParts {
  const completion = objectAt(body, 'response body');
  const choice = firstChoice(completion);
  const message = objectAt(choice.message, 'choices[0].message');
  return {
    ...envelopeOf(completion),
    content: stringAt(message.content, 'choices[0].message.content'),
    finishReason: stringAt(choice.finish_reason, 'choices[0].finish_reason'),
    usage: usageOf(completion.usage),
  };
}

function partsOfStream(call: Call, chunkChars: number): ReplyParts {
  const chunks = (call.response.stream ?? [])
    .map((e) => e.data)
    .filter((d): d is string => d !== undefined && d !== '[DONE]')
    .map((d) => objectAt(JSON.parse(d), 'stream chunk'));
  const first = chunks[0];
  if (!first) throw new Error('recorded call: empty stream');
  let content = '';
  let finishReason: string | undefined;
  let usage: ReplyParts['usage'] | undefined;
  const deltas: string[] = [];
  for (const chunk of chunks) {
    if (chunk.usage !== undefined && chunk.usage !== null) usage = usageOf(chunk.usage);
    if (Array.isArray(chunk.choices) && chunk.choices.length === 0) continue;
    const choice = firstChoice(chunk);
    const delta = objectAt(choice.delta, 'choices[0].delta');
    if (typeof delta.content === 'string' && delta.role === undefined) {
      deltas.push(delta.content);
      content += delta.content;
    }
    if (typeof choice.finish_reason === 'string') finishReason = choice.finish_reason;
  }
  // aimock slices the text itself: only fixed-size deltas come out as the recording's events.
  const sliced = deltas.every(
    (d, i) => d.length === chunkChars || (i === deltas.length - 1 && d.length <= chunkChars),
  );
  if (!sliced)
    throw new Error(`recorded stream: content deltas are not ${chunkChars}-character slices`);
  if (finishReason === undefined) throw new Error('recorded stream: no finish_reason');
  if (usage === undefined) throw new Error('recorded stream: no usage chunk');
  return { ...envelopeOf(first), content, finishReason, usage };
}

function messageText(messages: unknown, role: string): string {
  if (!Array.isArray(messages)) throw new Error('recorded call: request has no messages');
  const texts = messages
    .filter((m): m is JsonObject => isObject(m) && m.role === role)
    .map((m) => stringAt(m.content, `${role} message content`));
  const last = texts.at(-1);
  if (last === undefined) throw new Error(`recorded call: request has no ${role} message`);
  return last;
}

/**
 * An aimock fixture file with one fixture that answers the recorded request (same model, system
 * and user message) with the recorded reply. For a streamed call, deltas of `chunkChars`.
 */
export function aimockFixtureFile(call: Call, chunkChars: number): object {
  const request = objectAt(call.request.body, 'request body');
  const parts =
    call.response.stream !== undefined
      ? partsOfStream(call, chunkChars)
      : partsOfCompletion(call.response.body);
  return {
    fixtures: [
      {
        match: {
          model: stringAt(request.model, 'request model'),
          systemMessage: messageText(request.messages, 'system'),
          userMessage: messageText(request.messages, 'user'),
        },
        response: parts,
        chunkSize: chunkChars,
      },
    ],
  };
}

/**
 * Fields of a real OpenAI reply that an aimock text fixture has no way to set; the comparison
 * leaves them out. Everything else (ids, times, model, text, roles, finish reasons, token counts,
 * the order and number of stream events, the closing `[DONE]`) must be equal.
 */
export const INEXPRESSIBLE = [
  'service_tier',
  'usage.prompt_tokens_details',
  'usage.completion_tokens_details',
  'choices.*.message.annotations',
  'choices.*.delta.refusal',
] as const;

function without(value: Json, path: readonly string[]): Json {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  if (head === '*') return Array.isArray(value) ? value.map((v) => without(v, rest)) : value;
  if (!isObject(value) || !(head in value)) return value;
  const copy: JsonObject = { ...value };
  if (rest.length === 0) delete copy[head];
  else copy[head] = without(copy[head] as Json, rest);
  return copy;
}

/** Key order is the writer's choice, not part of the reply. */
function canonical(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k] as Json)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function sseData(body: string): Json[] {
  return body
    .split(/\r?\n\r?\n/)
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const data = block
        .split(/\r?\n/)
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).replace(/^ /, ''))
        .join('\n');
      return data === '[DONE]' ? data : (JSON.parse(data) as Json);
    });
}

/**
 * A chat completion reply (a JSON body, or an SSE body) as the value a client reads: parsed,
 * INEXPRESSIBLE fields dropped, keys sorted. Two servers send the same reply when these are equal.
 */
export function chatReplyView(body: string, stream: boolean): string {
  const values = stream ? sseData(body) : [JSON.parse(body) as Json];
  const paths = INEXPRESSIBLE.map((p) => p.split('.'));
  return canonical(values.map((v) => paths.reduce(without, v)));
}
