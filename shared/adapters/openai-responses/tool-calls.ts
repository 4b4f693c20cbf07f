/**
 * Tool calls of OpenAI Responses replies: `function_call` output items. A stream states each call
 * several times (the added item, argument deltas, the `.done` events, the final response object);
 * a change is written into every statement so that they keep agreeing.
 */
import { arrayAt, isObject, objectAt, parseData, type JsonObject } from '../../providers/json.js';
import type { RecordedResponse, StreamEvent } from '../../schema.js';
import {
  bodyCopy,
  cloneJson,
  eventsOf,
  foundFromText,
  replaceTopLevelNumber,
  slotsOf,
  withBody,
  type CallEdit,
  type FoundCall,
  type NewEvent,
  type Slot,
  type ToolCallAdapter,
} from '../../tool-calls/reply.js';

const ADDED = 'response.output_item.added';
const ITEM_DONE = 'response.output_item.done';
const ARGS_DELTA = 'response.function_call_arguments.delta';
const ARGS_DONE = 'response.function_call_arguments.done';

function argsText(args: unknown): string {
  return typeof args === 'string' ? args : JSON.stringify(args);
}

function isFunctionCall(item: unknown): item is JsonObject {
  return isObject(item) && item['type'] === 'function_call';
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function writeItem(item: JsonObject, edit: CallEdit): void {
  if (edit.id !== undefined) item['call_id'] = edit.id;
  if (edit.name !== undefined) item['name'] = edit.name;
  if (edit.args !== undefined) item['arguments'] = argsText(edit.args);
}

function foundFromItem(item: JsonObject): FoundCall {
  return foundFromText(
    str(item['call_id']) ?? null,
    str(item['name']) ?? '',
    str(item['arguments']) ?? '',
  );
}

function messageItem(id: string, status: string, content: JsonObject[]): JsonObject {
  return { id, type: 'message', status, role: 'assistant', content };
}

function textPart(text: string): JsonObject {
  return { type: 'output_text', annotations: [], logprobs: [], text };
}

function messageIdFor(item: JsonObject | undefined): string {
  const id = str(item?.['id']);
  return `msg_${id ? id.replace(/^fc_/, '') : 'half_tool_call'}`;
}

// ---- non-streamed ----

function bodyItems(body: unknown): JsonObject[] {
  return arrayAt(body, 'output').filter(isFunctionCall);
}

// ---- streamed ----

type Kind = 'added' | 'delta' | 'argsDone' | 'itemDone' | 'response';

interface Statement {
  kind: Kind;
  slot: Slot;
  /** The function_call item for added / itemDone / response statements. */
  item?: JsonObject;
  /** For response statements: the output list holding the item. */
  output?: unknown[];
}

interface StreamCall {
  outputIndex: number;
  statements: Statement[];
}

function statementsOf(call: StreamCall, kind: Kind): Statement[] {
  return call.statements.filter((s) => s.kind === kind);
}

function streamCalls(slots: readonly Slot[]): StreamCall[] {
  const calls = new Map<number, StreamCall>();
  const indexOfItem = new Map<string, number>();
  const add = (oi: number | undefined, s: Statement): void => {
    if (oi === undefined) return;
    let call = calls.get(oi);
    if (!call) calls.set(oi, (call = { outputIndex: oi, statements: [] }));
    call.statements.push(s);
  };
  for (const slot of slots) {
    const ev = slot.object;
    if (!ev) continue;
    const type = slot.type;
    const oiField = typeof ev['output_index'] === 'number' ? ev['output_index'] : undefined;
    if (type === ADDED || type === ITEM_DONE) {
      const item = objectAt(ev, 'item');
      if (!isFunctionCall(item)) continue;
      const id = str(item['id']);
      const oi = oiField ?? (id !== undefined ? indexOfItem.get(id) : undefined);
      if (id !== undefined && oi !== undefined) indexOfItem.set(id, oi);
      add(oi, { kind: type === ADDED ? 'added' : 'itemDone', slot, item });
    } else if (type === ARGS_DELTA || type === ARGS_DONE) {
      const itemId = str(ev['item_id']);
      const oi = oiField ?? (itemId !== undefined ? indexOfItem.get(itemId) : undefined);
      add(oi, { kind: type === ARGS_DELTA ? 'delta' : 'argsDone', slot });
    } else {
      const output = objectAt(ev, 'response')?.['output'];
      if (!Array.isArray(output)) continue;
      output.forEach((item, oi) => {
        if (isFunctionCall(item)) add(oi, { kind: 'response', slot, item, output });
      });
    }
  }
  return [...calls.values()].sort((a, b) => a.outputIndex - b.outputIndex);
}

/** Reads a call the way the SDK's accumulator builds it: deltas append, `.done` statements set. */
function readStreamCall(call: StreamCall): FoundCall {
  let id: string | null = null;
  let name = '';
  let args = '';
  for (const s of call.statements) {
    const ev = s.slot.object ?? {};
    if (s.item) {
      id = str(s.item['call_id']) ?? id;
      name = str(s.item['name']) ?? name;
      args = str(s.item['arguments']) ?? args;
    } else if (s.kind === 'delta') {
      args += str(ev['delta']) ?? '';
    } else {
      name = str(ev['name']) ?? name;
      args = str(ev['arguments']) ?? args;
    }
  }
  return foundFromText(id, name, args);
}

function writeStreamCall(call: StreamCall, edit: CallEdit): void {
  const deltas = statementsOf(call, 'delta');
  const args = edit.args === undefined ? undefined : argsText(edit.args);
  for (const s of call.statements) {
    const ev = s.slot.object;
    if (!ev) continue;
    if (s.item) {
      // With no deltas to carry the text, the opening item must already hold it.
      const carriesArgs = s.kind !== 'added' || deltas.length === 0;
      writeItem(s.item, carriesArgs ? edit : { ...edit, args: undefined });
    } else if (s.kind === 'argsDone') {
      if (args !== undefined) ev['arguments'] = args;
      if (edit.name !== undefined && 'name' in ev) ev['name'] = edit.name;
    } else if (args === undefined) {
      // A delta: untouched unless the arguments change.
      continue;
    } else if (s === deltas[0]) {
      ev['delta'] = args;
    } else {
      s.slot.removed = true;
    }
    s.slot.dirty = true;
  }
}

/**
 * Events were added or removed: number them again from where the stream started so the counter
 * stays gapless and increasing, as the SDK's `starting_after` resumption expects.
 */
function renumber(events: StreamEvent[]): StreamEvent[] {
  let next: number | undefined;
  return events.map((e) => {
    const parsed = parseData(e.data);
    const json = isObject(parsed) ? parsed : undefined;
    const n = json?.['sequence_number'];
    if (!json || typeof n !== 'number') return e;
    next ??= n;
    const want = next++;
    if (n === want || e.data === undefined) return e;
    const data =
      replaceTopLevelNumber(e.data, 'sequence_number', n, want) ??
      JSON.stringify({ ...json, sequence_number: want });
    return { ...e, data };
  });
}

function finish(response: RecordedResponse, slots: readonly Slot[]): RecordedResponse {
  const events = eventsOf(slots);
  const changedCount = slots.some((s) => s.removed || s.after.length > 0);
  return { ...response, stream: changedCount ? renumber(events) : events };
}

export const openaiResponsesToolCalls: ToolCallAdapter = {
  argsAre: 'text',

  read(response) {
    if (response.stream) return streamCalls(slotsOf(response)).map(readStreamCall);
    return bodyItems(bodyCopy(response)).map(foundFromItem);
  },

  write(response, edits) {
    if (response.stream) {
      const slots = slotsOf(response);
      streamCalls(slots).forEach((call, i) => {
        const edit = edits[i];
        if (edit) writeStreamCall(call, edit);
      });
      return finish(response, slots);
    }
    const body = bodyCopy(response);
    bodyItems(body).forEach((item, i) => {
      const edit = edits[i];
      if (edit) writeItem(item, edit);
    });
    return withBody(response, body);
  },

  halfEmit(response, text) {
    if (response.stream) return halfEmitStream(response, text);
    const body = bodyCopy(response);
    const output = isObject(body) ? body['output'] : undefined;
    if (!Array.isArray(output)) return withBody(response, body);
    const first = output.findIndex(isFunctionCall);
    if (first < 0) return withBody(response, body);
    const id = messageIdFor(output[first] as JsonObject);
    output[first] = messageItem(id, 'completed', [textPart(text)]);
    for (let i = output.length - 1; i > first; i--)
      if (isFunctionCall(output[i])) output.splice(i, 1);
    return withBody(response, body);
  },
};

function halfEmitStream(response: RecordedResponse, text: string): RecordedResponse {
  const slots = slotsOf(response);
  const [first, ...others] = streamCalls(slots);
  if (!first) return finish(response, slots);
  const removed = others.map((c) => c.outputIndex);
  const shift = (oi: number): number => oi - removed.filter((r) => r < oi).length;
  const oi = shift(first.outputIndex);
  const opening =
    statementsOf(first, 'added')[0]?.item ?? first.statements.find((s) => s.item)?.item;
  const itemId = messageIdFor(opening);
  const part = textPart(text);
  const done = messageItem(itemId, 'completed', [part]);
  const ref = { item_id: itemId, output_index: oi, content_index: 0 };
  const ev = (type: string, slot: Slot, fields: JsonObject): NewEvent => ({
    json: { type, sequence_number: slot.object?.['sequence_number'] ?? 0, ...fields },
  });
  const textDelta = (slot: Slot): NewEvent =>
    ev('response.output_text.delta', slot, { ...ref, delta: text, logprobs: [] });
  const textDone = (slot: Slot): NewEvent[] => [
    ev('response.output_text.done', slot, { ...ref, text, logprobs: [] }),
    ev('response.content_part.done', slot, { ...ref, part }),
  ];

  const deltas = statementsOf(first, 'delta');
  const argsDone = statementsOf(first, 'argsDone');
  const gone = new Set(
    others.flatMap((c) => c.statements.filter((s) => s.kind !== 'response').map((s) => s.slot)),
  );
  for (const s of first.statements) {
    const slot = s.slot;
    if (s.kind === 'added') {
      slot.replaceWith([
        ev(ADDED, slot, { output_index: oi, item: messageItem(itemId, 'in_progress', []) }),
        ev('response.content_part.added', slot, { ...ref, part: textPart('') }),
        ...(deltas.length === 0 ? [textDelta(slot)] : []),
      ]);
    } else if (s.kind === 'delta') {
      if (s === deltas[0]) slot.replaceWith([textDelta(slot)]);
      else slot.removed = true;
    } else if (s.kind === 'argsDone') {
      slot.replaceWith(s === argsDone[0] ? textDone(slot) : []);
    } else if (s.kind === 'itemDone') {
      slot.replaceWith([
        ...(argsDone.length === 0 ? textDone(slot) : []),
        ev(ITEM_DONE, slot, { output_index: oi, item: cloneJson(done) }),
      ]);
    }
  }
  for (const slot of gone) slot.removed = true;

  // The response objects (the final one above all) list the items: the same change there.
  const outputs = new Set<unknown[]>();
  for (const call of [first, ...others]) {
    for (const s of statementsOf(call, 'response')) {
      if (s.output) outputs.add(s.output);
      s.slot.dirty = true;
    }
  }
  for (const output of outputs) {
    if (isFunctionCall(output[first.outputIndex])) output[first.outputIndex] = cloneJson(done);
    for (const r of [...removed].sort((a, b) => b - a)) {
      if (isFunctionCall(output[r])) output.splice(r, 1);
    }
  }
  for (const slot of slots) {
    const obj = slot.object;
    if (!obj || slot.removed) continue;
    const n = obj['output_index'];
    if (typeof n === 'number' && shift(n) !== n) {
      obj['output_index'] = shift(n);
      slot.dirty = true;
    }
  }
  return finish(response, slots);
}
