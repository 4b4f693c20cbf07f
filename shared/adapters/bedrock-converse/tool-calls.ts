/**
 * Tool calls of Bedrock Converse replies: `toolUse {toolUseId, name, input}` content blocks, whose
 * input is an object; streamed, a `contentBlockStart` names the call (`start.toolUse`) and
 * `contentBlockDelta` events carry the input as JSON text (`delta.toolUse.input`), matched by
 * `contentBlockIndex`.
 */
import { isObject, objectAt, type JsonObject } from '../../providers/json.js';
import type { RecordedResponse, StreamEvent } from '../../schema.js';
import {
  bodyCopy,
  foundFromValue,
  parseJson,
  slotsOf,
  withBody,
  type CallEdit,
  type FoundCall,
  type Slot,
  type ToolCallAdapter,
} from '../../tool-calls/reply.js';

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function toolUseOf(block: unknown): JsonObject | undefined {
  return objectAt(block, 'toolUse');
}

function contentOf(body: unknown): unknown[] | undefined {
  const content = objectAt(objectAt(body, 'output'), 'message')?.['content'];
  return Array.isArray(content) ? content : undefined;
}

function foundFromToolUse(tool: JsonObject, input: unknown): FoundCall {
  return foundFromValue(str(tool['toolUseId']) ?? null, str(tool['name']) ?? '', input);
}

function writeToolUse(tool: JsonObject, edit: CallEdit, withInput: boolean): void {
  if (edit.id !== undefined) tool['toolUseId'] = edit.id;
  if (edit.name !== undefined) tool['name'] = edit.name;
  if (withInput && edit.args !== undefined) tool['input'] = edit.args;
}

// ---- streamed ----

interface StreamCall {
  index: number;
  start: Slot;
  tool: JsonObject;
  deltas: Slot[];
}

function indexOf(slot: Slot): number | undefined {
  const i = slot.object?.['contentBlockIndex'];
  return typeof i === 'number' ? i : undefined;
}

function streamCalls(slots: readonly Slot[]): StreamCall[] {
  const calls: StreamCall[] = [];
  const byIndex = new Map<number, StreamCall>();
  for (const slot of slots) {
    const index = indexOf(slot);
    if (index === undefined) continue;
    if (slot.source.event === 'contentBlockStart') {
      const tool = toolUseOf(objectAt(slot.object, 'start'));
      if (!tool) continue;
      const call: StreamCall = { index, start: slot, tool, deltas: [] };
      calls.push(call);
      byIndex.set(index, call);
    } else if (slot.source.event === 'contentBlockDelta') {
      if (toolUseOf(objectAt(slot.object, 'delta'))) byIndex.get(index)?.deltas.push(slot);
    }
  }
  return calls;
}

function inputText(slot: Slot): string {
  return str(toolUseOf(objectAt(slot.object, 'delta'))?.['input']) ?? '';
}

function readStreamCall(call: StreamCall): FoundCall {
  const text = call.deltas.map(inputText).join('');
  if (text.trim() === '') return foundFromToolUse(call.tool, {});
  const value = parseJson(text);
  // A stream cut inside the input: show what arrived.
  if (value === undefined)
    return {
      id: str(call.tool['toolUseId']) ?? null,
      name: str(call.tool['name']) ?? '',
      text,
      value,
    };
  return foundFromToolUse(call.tool, value);
}

/**
 * The stream again, from its slots. Bedrock's payloads carry no type, so events added after a
 * slot take their name from `names` (the generic writer names them from a `type` field).
 */
function streamOf(
  response: RecordedResponse,
  slots: readonly Slot[],
  names: ReadonlyMap<JsonObject, string>,
): RecordedResponse {
  const out: StreamEvent[] = [];
  for (const slot of slots) {
    if (!slot.removed) {
      const data = slot.dirty ? JSON.stringify(slot.json) : undefined;
      out.push(data === undefined ? { ...slot.source } : { ...slot.source, data });
    }
    for (const e of slot.after) {
      const event = names.get(e.json);
      out.push({ at: slot.source.at, ...(event ? { event } : {}), data: JSON.stringify(e.json) });
    }
  }
  return { ...response, stream: out };
}

function writeStream(response: RecordedResponse, edits: readonly (CallEdit | undefined)[]) {
  const slots = slotsOf(response);
  const names = new Map<JsonObject, string>();
  streamCalls(slots).forEach((call, i) => {
    const edit = edits[i];
    if (!edit) return;
    if (edit.id !== undefined || edit.name !== undefined) {
      writeToolUse(call.tool, edit, false);
      call.start.dirty = true;
    }
    if (edit.args === undefined) return;
    const input = JSON.stringify(edit.args);
    const [first, ...rest] = call.deltas;
    if (first) {
      const tool = toolUseOf(objectAt(first.object, 'delta'));
      if (tool) tool['input'] = input;
      first.dirty = true;
    } else {
      const json = { contentBlockIndex: call.index, delta: { toolUse: { input } } };
      names.set(json, 'contentBlockDelta');
      call.start.after.push({ json });
    }
    for (const slot of rest) slot.removed = true;
  });
  return streamOf(response, slots, names);
}

function halfEmitStream(response: RecordedResponse, text: string): RecordedResponse {
  const slots = slotsOf(response);
  const [first, ...others] = streamCalls(slots);
  const names = new Map<JsonObject, string>();
  if (!first) return streamOf(response, slots, names);
  // A text block streams without a contentBlockStart: the start goes, one text delta takes the
  // place of the input deltas.
  const json = { contentBlockIndex: first.index, delta: { text } };
  names.set(json, 'contentBlockDelta');
  first.start.replaceWith([{ json }]);
  for (const slot of first.deltas) slot.removed = true;
  const gone = new Set(others.map((c) => c.index));
  for (const slot of slots) {
    const i = indexOf(slot);
    if (i !== undefined && gone.has(i)) slot.removed = true;
    const ev = slot.object;
    if (slot.source.event === 'messageStop' && ev?.['stopReason'] === 'tool_use') {
      ev['stopReason'] = 'end_turn';
      slot.dirty = true;
    }
  }
  return streamOf(response, slots, names);
}

export const bedrockToolCalls: ToolCallAdapter = {
  argsAre: 'object',
  argsName: 'Bedrock toolUse input',

  read(response) {
    if (response.stream) return streamCalls(slotsOf(response)).map(readStreamCall);
    return (contentOf(bodyCopy(response)) ?? [])
      .map(toolUseOf)
      .filter((t): t is JsonObject => t !== undefined)
      .map((t) => foundFromToolUse(t, t['input'] ?? {}));
  },

  write(response, edits) {
    if (response.stream) return writeStream(response, edits);
    const body = bodyCopy(response);
    (contentOf(body) ?? [])
      .map(toolUseOf)
      .filter((t): t is JsonObject => t !== undefined)
      .forEach((tool, i) => {
        const edit = edits[i];
        if (edit) writeToolUse(tool, edit, true);
      });
    return withBody(response, body);
  },

  halfEmit(response, text) {
    if (response.stream) return halfEmitStream(response, text);
    const body = bodyCopy(response);
    const content = contentOf(body);
    if (!isObject(body) || !content) return withBody(response, body);
    const first = content.findIndex((b) => toolUseOf(b) !== undefined);
    if (first < 0) return withBody(response, body);
    content[first] = { text };
    for (let i = content.length - 1; i > first; i--)
      if (toolUseOf(content[i]) !== undefined) content.splice(i, 1);
    if (body['stopReason'] === 'tool_use') body['stopReason'] = 'end_turn';
    return withBody(response, body);
  },
};
