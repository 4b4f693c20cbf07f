/**
 * Breaks a recorded reply the way real models and gateways break them, for `malformed` faults.
 * Works on non-streamed JSON bodies and on SSE event lists; never mutates its input.
 */
import { bedrockConverseAdapter } from '../adapters/bedrock-converse/index.js';
import { cohereChatAdapter } from '../adapters/cohere-chat/index.js';
import { detectApi, type ApiFamily } from '../providers/detect.js';
import type { Call, StreamEvent } from '../schema.js';
import { dropAt, hasPath, retypeAt } from './json-edit.js';

export type MalformMode = 'invalidJson' | 'truncate' | 'dropField' | 'wrongType';

/** What to send instead: a raw body text, or events. null: the fault does not apply to this reply. */
export type Malformed = { bodyText: string } | { events: StreamEvent[] };

/** The field each family's clients cannot do without, when the fault names no path. */
const REQUIRED_FIELD: Readonly<Record<ApiFamily, { body: string; event: string }>> = {
  'openai-chat': { body: '$.choices', event: '$.choices' },
  'openai-responses': { body: '$.output', event: '$.delta' },
  'anthropic-messages': { body: '$.content', event: '$.delta' },
  gemini: { body: '$.candidates', event: '$.candidates' },
  'openai-embeddings': { body: '$.data', event: '$.data' },
  http: { body: '$', event: '$' },
  'bedrock-converse': bedrockConverseAdapter.requiredField,
  'cohere-chat': cohereChatAdapter.requiredField,
};

export function familyOfCall(call: Pick<Call, 'request' | 'signature'>): ApiFamily {
  const path =
    typeof call.signature.path === 'string' && !call.signature.path.includes('*')
      ? call.signature.path
      : safePathname(call.request.url);
  return detectApi(path).family;
}

function safePathname(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

/** `{"a":1}` → `{"a":1,}`: the commonest invalid JSON a model writes. */
export function withTrailingComma(text: string): string {
  const end = text.trimEnd();
  const last = end[end.length - 1];
  if (last !== '}' && last !== ']') return text + ',';
  return end.slice(0, -1) + ',' + last;
}

function parseData(e: StreamEvent): unknown {
  if (e.data === undefined) return undefined;
  try {
    return JSON.parse(e.data);
  } catch {
    return undefined;
  }
}

function jsonEventIndexes(events: readonly StreamEvent[]): number[] {
  const out: number[] = [];
  events.forEach((e, i) => {
    const v = parseData(e);
    if (v !== null && typeof v === 'object') out.push(i);
  });
  return out;
}

function middle<T>(xs: readonly T[]): T | undefined {
  return xs[Math.floor(xs.length / 2)];
}

function malformStream(
  events: readonly StreamEvent[],
  mode: MalformMode,
  path: string | undefined,
  family: ApiFamily,
): StreamEvent[] | null {
  const json = jsonEventIndexes(events);
  switch (mode) {
    case 'truncate':
      // Ends cleanly, but before the terminal event: the reply just stops.
      return events.length > 1 ? events.slice(0, Math.max(1, Math.floor(events.length / 2))) : null;
    case 'invalidJson': {
      const i = middle(json);
      if (i === undefined) return null;
      const out = [...events];
      const e = events[i] as StreamEvent;
      out[i] = { ...e, data: withTrailingComma(e.data ?? '') };
      return out;
    }
    case 'dropField':
    case 'wrongType': {
      const edit = mode === 'dropField' ? dropAt : retypeAt;
      const target = path ?? REQUIRED_FIELD[family].event;
      // With a path: every event that has it; without: the middle event that has the family's field.
      const indexes = json.filter((i) => hasPath(parseData(events[i] as StreamEvent), target));
      const chosen = path ? indexes : indexes.length ? [middle(indexes) as number] : [];
      if (chosen.length === 0) return null;
      const out = [...events];
      for (const i of chosen) {
        const e = events[i] as StreamEvent;
        const edited = edit(parseData(e), target);
        if (edited !== null) out[i] = { ...e, data: JSON.stringify(edited) };
      }
      return out;
    }
  }
}

function malformBody(
  body: unknown,
  mode: MalformMode,
  path: string | undefined,
  family: ApiFamily,
): string | null {
  const text = JSON.stringify(body);
  switch (mode) {
    case 'invalidJson':
      return withTrailingComma(text);
    case 'truncate':
      return text.slice(0, Math.max(1, Math.floor(text.length / 2)));
    case 'dropField': {
      const edited = dropAt(body, path ?? REQUIRED_FIELD[family].body);
      return edited === null ? null : JSON.stringify(edited);
    }
    case 'wrongType': {
      const edited = retypeAt(body, path ?? REQUIRED_FIELD[family].body);
      return edited === null ? null : JSON.stringify(edited);
    }
  }
}

export function malformReply(call: Call, mode: MalformMode, path?: string): Malformed | null {
  const family = familyOfCall(call);
  const r = call.response;
  if (r.stream) {
    const events = malformStream(r.stream, mode, path, family);
    return events ? { events } : null;
  }
  if (r.body !== undefined) {
    const bodyText = malformBody(r.body, mode, path, family);
    return bodyText === null ? null : { bodyText };
  }
  const raw = r.bodyText;
  if (raw === undefined) return null;
  if (mode === 'truncate') return { bodyText: raw.slice(0, Math.floor(raw.length / 2)) };
  if (mode === 'invalidJson') return { bodyText: withTrailingComma(raw) };
  return null;
}
