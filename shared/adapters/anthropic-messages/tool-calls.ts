/**
 * Tool calls of Anthropic Messages replies: `tool_use` content blocks, whose `input` is an object;
 * streamed, a `content_block_start` names the call and `input_json_delta` fragments carry the
 * input as JSON text.
 */
import { arrayAt, isObject, objectAt, type JsonObject } from '../../providers/json.js';
import type { RecordedResponse } from '../../schema.js';
import {
  bodyCopy,
  foundFromValue,
  parseJson,
  slotsOf,
  withBody,
  withStream,
  type CallEdit,
  type FoundCall,
  type Slot,
  type ToolCallAdapter,
} from '../../tool-calls/reply.js';

function isToolUse(block: unknown): block is JsonObject {
  return isObject(block) && block['type'] === 'tool_use';
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function writeBlock(block: JsonObject, edit: CallEdit, withInput: boolean): void {
  if (edit.id !== undefined) block['id'] = edit.id;
  if (edit.name !== undefined) block['name'] = edit.name;
  if (withInput && edit.args !== undefined) block['input'] = edit.args;
}

function foundFromBlock(block: JsonObject, input: unknown): FoundCall {
  return foundFromValue(str(block['id']) ?? null, str(block['name']) ?? '', input);
}

// ---- streamed ----

interface StreamCall {
  index: number;
  start: Slot;
  block: JsonObject;
  deltas: Slot[];
}

function streamCalls(slots: readonly Slot[]): StreamCall[] {
  const calls: StreamCall[] = [];
  const byIndex = new Map<number, StreamCall>();
  for (const slot of slots) {
    const ev = slot.object;
    const index = ev?.['index'];
    if (!ev || typeof index !== 'number') continue;
    if (slot.type === 'content_block_start') {
      const block = objectAt(ev, 'content_block');
      if (!isToolUse(block)) continue;
      const call: StreamCall = { index, start: slot, block, deltas: [] };
      calls.push(call);
      byIndex.set(index, call);
    } else if (slot.type === 'content_block_delta') {
      if (objectAt(ev, 'delta')?.['type'] === 'input_json_delta')
        byIndex.get(index)?.deltas.push(slot);
    }
  }
  return calls;
}

function partialJson(slot: Slot): string {
  return str(objectAt(slot.object, 'delta')?.['partial_json']) ?? '';
}

function readStreamCall(call: StreamCall): FoundCall {
  const text = call.deltas.map(partialJson).join('');
  // Without any input text the opening block's own `input` (always {} from the API) stands.
  if (text.trim() === '') return foundFromBlock(call.block, call.block['input'] ?? {});
  const value = parseJson(text);
  if (value === undefined) {
    // A stream cut inside the input: show what arrived.
    return { id: str(call.block['id']) ?? null, name: str(call.block['name']) ?? '', text, value };
  }
  return foundFromBlock(call.block, value);
}

function inputDelta(index: number, json: string): JsonObject {
  return {
    type: 'content_block_delta',
    index,
    delta: { type: 'input_json_delta', partial_json: json },
  };
}

function writeStreamCall(call: StreamCall, edit: CallEdit): void {
  if (edit.id !== undefined || edit.name !== undefined) {
    writeBlock(call.block, edit, false);
    call.start.dirty = true;
  }
  if (edit.args === undefined) return;
  const json = JSON.stringify(edit.args);
  const [first, ...rest] = call.deltas;
  if (first) {
    const delta = objectAt(first.object, 'delta');
    if (delta) delta['partial_json'] = json;
    first.dirty = true;
  } else {
    call.start.after.push({ json: inputDelta(call.index, json) });
  }
  for (const slot of rest) slot.removed = true;
}

function halfEmitStream(response: RecordedResponse, text: string): RecordedResponse {
  const slots = slotsOf(response);
  const [first, ...others] = streamCalls(slots);
  if (!first) return withStream(response, slots);
  const removed = others.map((c) => c.index);
  const shift = (i: number): number => i - removed.filter((r) => r < i).length;
  const index = shift(first.index);
  const textDelta = {
    json: { type: 'content_block_delta', index, delta: { type: 'text_delta', text } },
  };
  first.start.replaceWith([
    { json: { type: 'content_block_start', index, content_block: { type: 'text', text: '' } } },
    ...(first.deltas.length === 0 ? [textDelta] : []),
  ]);
  first.deltas.forEach((slot, i) =>
    i === 0 ? slot.replaceWith([textDelta]) : (slot.removed = true),
  );
  const gone = new Set(removed);
  for (const slot of slots) {
    const ev = slot.object;
    if (!ev || slot.removed) continue;
    const i = ev['index'];
    if (typeof i === 'number' && slot.type?.startsWith('content_block_')) {
      if (gone.has(i)) slot.removed = true;
      else if (shift(i) !== i) {
        ev['index'] = shift(i);
        slot.dirty = true;
      }
    }
    const delta = objectAt(ev, 'delta');
    if (slot.type === 'message_delta' && delta?.['stop_reason'] === 'tool_use') {
      delta['stop_reason'] = 'end_turn';
      slot.dirty = true;
    }
  }
  return withStream(response, slots);
}

export const anthropicToolCalls: ToolCallAdapter = {
  argsAre: 'object',
  argsName: 'Anthropic tool input',

  read(response) {
    if (response.stream) return streamCalls(slotsOf(response)).map(readStreamCall);
    return arrayAt(bodyCopy(response), 'content')
      .filter(isToolUse)
      .map((block) => foundFromBlock(block, block['input'] ?? {}));
  },

  write(response, edits) {
    if (response.stream) {
      const slots = slotsOf(response);
      streamCalls(slots).forEach((call, i) => {
        const edit = edits[i];
        if (edit) writeStreamCall(call, edit);
      });
      return withStream(response, slots);
    }
    const body = bodyCopy(response);
    arrayAt(body, 'content')
      .filter(isToolUse)
      .forEach((block, i) => {
        const edit = edits[i];
        if (edit) writeBlock(block, edit, true);
      });
    return withBody(response, body);
  },

  halfEmit(response, text) {
    if (response.stream) return halfEmitStream(response, text);
    const body = bodyCopy(response);
    const content = isObject(body) ? body['content'] : undefined;
    if (!isObject(body) || !Array.isArray(content)) return withBody(response, body);
    const first = content.findIndex(isToolUse);
    if (first < 0) return withBody(response, body);
    content[first] = { type: 'text', text };
    for (let i = content.length - 1; i > first; i--)
      if (isToolUse(content[i])) content.splice(i, 1);
    if (body['stop_reason'] === 'tool_use') body['stop_reason'] = 'end_turn';
    return withBody(response, body);
  },
};
