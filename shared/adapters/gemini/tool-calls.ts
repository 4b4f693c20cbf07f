/**
 * Tool calls of Gemini replies: `functionCall` parts with an `args` object. Every streamed chunk is
 * a whole GenerateContentResponse and a call arrives complete in one part, so a stream is edited
 * chunk by chunk exactly like a body.
 */
import { arrayAt, isObject, objectAt, type JsonObject } from '../../providers/json.js';
import type { RecordedResponse } from '../../schema.js';
import {
  bodyCopy,
  foundFromValue,
  slotsOf,
  withBody,
  withStream,
  type Slot,
  type ToolCallAdapter,
} from '../../tool-calls/reply.js';

interface PartCall {
  slot: Slot | undefined;
  parts: unknown[];
  part: JsonObject;
  fn: JsonObject;
}

/** The reply's chunks: stream events, the elements of a JSON-array body (non-SSE stream), or the body. */
function chunksOf(
  slots: readonly Slot[] | undefined,
  body: unknown,
): [Slot | undefined, unknown][] {
  if (slots) return slots.map((s) => [s, s.json]);
  return (Array.isArray(body) ? body : [body]).map((c) => [undefined, c]);
}

function partCalls(chunks: readonly [Slot | undefined, unknown][]): PartCall[] {
  const out: PartCall[] = [];
  for (const [slot, chunk] of chunks) {
    for (const candidate of arrayAt(chunk, 'candidates')) {
      const parts = objectAt(candidate, 'content')?.['parts'];
      if (!Array.isArray(parts)) continue;
      for (const part of parts) {
        const fn = objectAt(part, 'functionCall');
        if (isObject(part) && fn) out.push({ slot, parts, part, fn });
      }
    }
  }
  return out;
}

interface Doc {
  calls: PartCall[];
  done(): RecordedResponse;
}

function open(response: RecordedResponse): Doc {
  if (response.stream) {
    const slots = slotsOf(response);
    return {
      calls: partCalls(chunksOf(slots, undefined)),
      done: () => withStream(response, slots),
    };
  }
  const body = bodyCopy(response);
  return { calls: partCalls(chunksOf(undefined, body)), done: () => withBody(response, body) };
}

export const geminiToolCalls: ToolCallAdapter = {
  argsAre: 'object',
  argsName: 'Gemini functionCall args',

  read(response) {
    return open(response).calls.map(({ fn }) =>
      foundFromValue(
        typeof fn['id'] === 'string' ? fn['id'] : null,
        typeof fn['name'] === 'string' ? fn['name'] : '',
        fn['args'] ?? {},
      ),
    );
  },

  write(response, edits) {
    const doc = open(response);
    doc.calls.forEach(({ slot, fn }, i) => {
      const edit = edits[i];
      if (!edit) return;
      if (edit.id !== undefined) fn['id'] = edit.id;
      if (edit.name !== undefined) fn['name'] = edit.name;
      if (edit.args !== undefined) fn['args'] = edit.args;
      if (slot) slot.dirty = true;
    });
    return doc.done();
  },

  halfEmit(response, text) {
    const doc = open(response);
    const [first, ...others] = doc.calls;
    if (!first) return doc.done();
    // Other keys of the part (a thought signature) stay: Gemini attaches them to text parts too.
    delete first.part['functionCall'];
    first.part['text'] = text;
    if (first.slot) first.slot.dirty = true;
    for (const { slot, parts, part } of others) {
      parts.splice(parts.indexOf(part), 1);
      // A chunk keeps a part, as Gemini's own chunks with nothing to say do (`{"text": ""}`).
      if (parts.length === 0) parts.push({ text: '' });
      if (slot) slot.dirty = true;
    }
    return doc.done();
  },
};
