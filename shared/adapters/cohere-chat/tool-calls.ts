/**
 * Tool calls of Cohere v2 chat replies: `message.tool_calls[{id, type:'function', function:{name,
 * arguments}}]`, arguments as JSON text (as OpenAI's). Streamed, `tool-call-start` opens a call at
 * an `index` (its `function.arguments` may already hold text) and `tool-call-delta` events add
 * argument text; both carry the call under `delta.message.tool_calls`.
 */
import { isObject, objectAt, type JsonObject } from '../../providers/json.js';
import type { RecordedResponse } from '../../schema.js';
import {
  bodyCopy,
  foundFromText,
  slotsOf,
  withBody,
  withStream,
  type CallEdit,
  type FoundCall,
  type Slot,
  type ToolCallAdapter,
} from '../../tool-calls/reply.js';

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function callsOf(body: unknown): JsonObject[] {
  const calls = objectAt(body, 'message')?.['tool_calls'];
  return Array.isArray(calls) ? calls.filter(isObject) : [];
}

function writeCall(call: JsonObject, edit: CallEdit): void {
  if (edit.id !== undefined) call['id'] = edit.id;
  const fn = objectAt(call, 'function');
  if (!fn) return;
  if (edit.name !== undefined) fn['name'] = edit.name;
  if (typeof edit.args === 'string') fn['arguments'] = edit.args;
}

// ---- streamed ----

interface StreamCall {
  start: Slot;
  call: JsonObject;
  deltas: Slot[];
  end: Slot | undefined;
}

/** The tool call an event carries (`delta.message.tool_calls`). */
function eventCall(slot: Slot): JsonObject | undefined {
  return objectAt(objectAt(objectAt(slot.object, 'delta'), 'message'), 'tool_calls');
}

function fnArgs(call: JsonObject | undefined): string {
  return str(objectAt(call, 'function')?.['arguments']) ?? '';
}

function streamCalls(slots: readonly Slot[]): StreamCall[] {
  const calls: StreamCall[] = [];
  const byIndex = new Map<number, StreamCall>();
  for (const slot of slots) {
    const index = slot.object?.['index'];
    if (typeof index !== 'number') continue;
    if (slot.type === 'tool-call-start') {
      const call = eventCall(slot);
      if (!call) continue;
      const found: StreamCall = { start: slot, call, deltas: [], end: undefined };
      calls.push(found);
      byIndex.set(index, found);
    } else if (slot.type === 'tool-call-delta') byIndex.get(index)?.deltas.push(slot);
    else if (slot.type === 'tool-call-end') {
      const found = byIndex.get(index);
      if (found) found.end = slot;
    }
  }
  return calls;
}

function readStreamCall(c: StreamCall): FoundCall {
  const text = fnArgs(c.call) + c.deltas.map((d) => fnArgs(eventCall(d))).join('');
  return foundFromText(
    str(c.call['id']) ?? null,
    str(objectAt(c.call, 'function')?.['name']) ?? '',
    text,
  );
}

function writeStreamCall(c: StreamCall, edit: CallEdit): void {
  if (edit.id !== undefined || edit.name !== undefined) {
    writeCall(c.call, { ...edit, args: undefined });
    c.start.dirty = true;
  }
  if (typeof edit.args !== 'string') return;
  const [first, ...rest] = c.deltas;
  const startFn = objectAt(c.call, 'function');
  const firstFn = first ? objectAt(eventCall(first), 'function') : undefined;
  if (first && firstFn) {
    firstFn['arguments'] = edit.args;
    first.dirty = true;
    if (startFn && fnArgs(c.call) !== '') {
      startFn['arguments'] = '';
      c.start.dirty = true;
    }
  } else if (startFn) {
    startFn['arguments'] = edit.args;
    c.start.dirty = true;
  }
  for (const slot of rest) slot.removed = true;
}

function halfEmitStream(response: RecordedResponse, text: string): RecordedResponse {
  const slots = slotsOf(response);
  const calls = streamCalls(slots);
  const [first] = calls;
  if (!first) return withStream(response, slots);
  const index = first.start.object?.['index'];
  first.start.replaceWith([
    {
      json: {
        type: 'content-start',
        index,
        delta: { message: { content: { type: 'text', text: '' } } },
      },
    },
    { json: { type: 'content-delta', index, delta: { message: { content: { text } } } } },
  ]);
  first.end?.replaceWith([{ json: { type: 'content-end', index } }]);
  for (const c of calls) {
    c.start.removed = true;
    for (const d of c.deltas) d.removed = true;
    if (c.end) c.end.removed = true;
  }
  for (const slot of slots) {
    const delta = objectAt(slot.object, 'delta');
    if (slot.type === 'message-end' && delta?.['finish_reason'] === 'TOOL_CALL') {
      delta['finish_reason'] = 'COMPLETE';
      slot.dirty = true;
    }
  }
  return withStream(response, slots);
}

export const cohereToolCalls: ToolCallAdapter = {
  argsAre: 'text',

  read(response) {
    if (response.stream) return streamCalls(slotsOf(response)).map(readStreamCall);
    return callsOf(bodyCopy(response)).map((c) =>
      foundFromText(str(c['id']) ?? null, str(objectAt(c, 'function')?.['name']) ?? '', fnArgs(c)),
    );
  },

  write(response, edits) {
    if (response.stream) {
      const slots = slotsOf(response);
      streamCalls(slots).forEach((c, i) => {
        const edit = edits[i];
        if (edit) writeStreamCall(c, edit);
      });
      return withStream(response, slots);
    }
    const body = bodyCopy(response);
    callsOf(body).forEach((c, i) => {
      const edit = edits[i];
      if (edit) writeCall(c, edit);
    });
    return withBody(response, body);
  },

  halfEmit(response, text) {
    if (response.stream) return halfEmitStream(response, text);
    const body = bodyCopy(response);
    const message = objectAt(body, 'message');
    if (!isObject(body) || !message || callsOf(body).length === 0) return withBody(response, body);
    delete message['tool_calls'];
    const content = Array.isArray(message['content']) ? message['content'] : [];
    message['content'] = [...content, { type: 'text', text }];
    if (body['finish_reason'] === 'TOOL_CALL') body['finish_reason'] = 'COMPLETE';
    return withBody(response, body);
  },
};
