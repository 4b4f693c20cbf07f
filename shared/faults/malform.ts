/**
 * Breaks a recorded reply the way real models and gateways break them, for `malformed` faults.
 * Works on non-streamed JSON bodies and on SSE event lists; never mutates its input.
 */
import type { ProviderAdapter } from '../adapters/adapter.js';
import { adapterOf, routeOfCall } from '../adapters/registry.js';
import { parseData } from '../providers/json.js';
import type { Call, StreamEvent } from '../schema.js';
import { dropAt, hasPath, retypeAt } from './json-edit.js';

export type MalformMode = 'invalidJson' | 'truncate' | 'dropField' | 'wrongType';

/** What to send instead: a raw body text, or events. null: the fault does not apply to this reply. */
export type Malformed = { bodyText: string } | { events: StreamEvent[] };

/** The field the family's clients cannot do without, used when the fault names no path. */
type Required = ProviderAdapter['requiredField'];

/** `{"a":1}` → `{"a":1,}`: the commonest invalid JSON a model writes. */
export function withTrailingComma(text: string): string {
  const end = text.trimEnd();
  const last = end[end.length - 1];
  if (last !== '}' && last !== ']') return text + ',';
  return end.slice(0, -1) + ',' + last;
}

function jsonEventIndexes(events: readonly StreamEvent[]): number[] {
  const out: number[] = [];
  events.forEach((e, i) => {
    const v = parseData(e.data);
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
  required: Required,
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
      const target = path ?? required.event;
      // With a path: every event that has it; without: the middle event that has the family's field.
      const indexes = json.filter((i) =>
        hasPath(parseData((events[i] as StreamEvent).data), target),
      );
      const chosen = path ? indexes : indexes.length ? [middle(indexes) as number] : [];
      if (chosen.length === 0) return null;
      const out = [...events];
      for (const i of chosen) {
        const e = events[i] as StreamEvent;
        const edited = edit(parseData(e.data), target);
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
  required: Required,
): string | null {
  const text = JSON.stringify(body);
  switch (mode) {
    case 'invalidJson':
      return withTrailingComma(text);
    case 'truncate':
      return text.slice(0, Math.max(1, Math.floor(text.length / 2)));
    case 'dropField': {
      const edited = dropAt(body, path ?? required.body);
      return edited === null ? null : JSON.stringify(edited);
    }
    case 'wrongType': {
      const edited = retypeAt(body, path ?? required.body);
      return edited === null ? null : JSON.stringify(edited);
    }
  }
}

export function malformReply(call: Call, mode: MalformMode, path?: string): Malformed | null {
  const required = adapterOf(routeOfCall(call).family).requiredField;
  const r = call.response;
  if (r.stream) {
    const events = malformStream(r.stream, mode, path, required);
    return events ? { events } : null;
  }
  if (r.body !== undefined) {
    const bodyText = malformBody(r.body, mode, path, required);
    return bodyText === null ? null : { bodyText };
  }
  const raw = r.bodyText;
  if (raw === undefined) return null;
  if (mode === 'truncate') return { bodyText: raw.slice(0, Math.floor(raw.length / 2)) };
  if (mode === 'invalidJson') return { bodyText: withTrailingComma(raw) };
  return null;
}
