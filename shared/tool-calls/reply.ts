/**
 * Editing a recorded reply without losing what the editor did not touch: a stream becomes a list
 * of slots (one per recorded event) that keep their original data unless changed, and a body is
 * edited on a copy.
 */
import { isObject, parseData, type JsonObject } from '../providers/json.js';
import { replyBody } from '../providers/reading.js';
import type { RecordedResponse, StreamEvent } from '../schema.js';

/** A tool call as one family reads it, before it becomes a view. */
export interface FoundCall {
  id: string | null;
  name: string;
  /** The arguments as the view shows them. */
  text: string;
  /** The arguments parsed; undefined when the text is not JSON (a cut stream, a broken model). */
  value: unknown;
}

/**
 * What to change in one tool call; fields left out stay as recorded. `args` is a string for the
 * families that send arguments as text (OpenAI) and a JSON value for those that send an object
 * (Anthropic `input`, Gemini `args`).
 */
export interface CallEdit {
  id?: string;
  name?: string;
  args?: unknown;
}

export interface ToolCallAdapter {
  /** How the family carries arguments on the wire. */
  argsAre: 'text' | 'object';
  /** What the wire calls an object of arguments, for edit errors ("Anthropic tool input"). */
  argsName?: string;
  read(response: RecordedResponse): FoundCall[];
  /** One entry per found call, in the same order; undefined leaves that call as recorded. */
  write(response: RecordedResponse, edits: readonly (CallEdit | undefined)[]): RecordedResponse;
  /**
   * Removes every tool call and puts `text` where the first one was, as plain reply text; the
   * finish reason becomes the one of a reply that simply ended.
   */
  halfEmit(response: RecordedResponse, text: string): RecordedResponse;
}

export function cloneJson<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Arguments sent as text: shown as sent. */
export function foundFromText(id: string | null, name: string, text: string): FoundCall {
  return { id, name, text, value: parseJson(text) };
}

/** Arguments sent as an object: shown pretty-printed. */
export function foundFromValue(id: string | null, name: string, value: unknown): FoundCall {
  return { id, name, text: JSON.stringify(value, null, 2), value };
}

// ---- streams ----

export interface NewEvent {
  json: JsonObject;
}

export class Slot {
  /** The event's data parsed; each slot owns its copy, so edits never reach the input. */
  readonly json: unknown;
  dirty = false;
  removed = false;
  /** Events written right after this one (or in its place, when it is removed), at its time. */
  readonly after: NewEvent[] = [];

  constructor(readonly source: StreamEvent) {
    this.json = parseData(source.data);
  }

  get object(): JsonObject | undefined {
    return isObject(this.json) ? this.json : undefined;
  }

  get type(): string | undefined {
    const t = this.object?.['type'];
    return typeof t === 'string' ? t : undefined;
  }

  replaceWith(events: readonly NewEvent[]): void {
    this.removed = true;
    this.after.push(...events);
  }
}

export function slotsOf(response: RecordedResponse): Slot[] {
  return (response.stream ?? []).map((e) => new Slot(e));
}

export function eventsOf(slots: readonly Slot[]): StreamEvent[] {
  const out: StreamEvent[] = [];
  for (const slot of slots) {
    if (!slot.removed) {
      const data = slot.dirty ? JSON.stringify(slot.json) : undefined;
      // An event whose content came out the same keeps its recorded bytes (spacing, `1.0`).
      const same = data === undefined || data === JSON.stringify(parseData(slot.source.data));
      out.push(same ? { ...slot.source } : { ...slot.source, data });
    }
    for (const e of slot.after) {
      const type = e.json['type'];
      // Streams that name their events (Anthropic, Responses) name the new ones the same way.
      const named = slot.source.event !== undefined && typeof type === 'string';
      out.push({
        at: slot.source.at,
        ...(named ? { event: type } : {}),
        data: JSON.stringify(e.json),
      });
    }
  }
  return out;
}

export function withStream(response: RecordedResponse, slots: readonly Slot[]): RecordedResponse {
  return { ...response, stream: eventsOf(slots) };
}

// ---- bodies ----

/** A copy of the reply's JSON body (a JSON `bodyText` counts), or undefined. */
export function bodyCopy(response: RecordedResponse): unknown {
  return cloneJson(replyBody(response));
}

export function withBody(response: RecordedResponse, body: unknown): RecordedResponse {
  if (response.body !== undefined) return { ...response, body };
  if (response.bodyText !== undefined) return { ...response, bodyText: JSON.stringify(body) };
  return { ...response };
}

/**
 * A JSON value in the raw text of one event's data replaced without rewriting the rest: used for
 * counters (`sequence_number`) so the events a change did not otherwise touch keep their bytes.
 */
export function replaceTopLevelNumber(
  data: string,
  key: string,
  from: number,
  to: number,
): string | undefined {
  // Inside a JSON string every quote is escaped, so `"key":N` can only be a real member.
  const pattern = new RegExp(`("${key}"\\s*:\\s*)${String(from)}(?![0-9.eE])`);
  const next = data.replace(pattern, `$1${String(to)}`);
  const parsed = parseData(next);
  return isObject(parsed) && parsed[key] === to ? next : undefined;
}
