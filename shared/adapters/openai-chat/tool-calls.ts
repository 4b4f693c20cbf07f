/**
 * Tool calls of OpenAI Chat Completions replies (and OpenAI-compatible servers): `tool_calls` of
 * each choice's message, or, streamed, `delta.tool_calls` fragments joined by their `index`.
 */
import { arrayAt, isObject, objectAt, type JsonObject } from '../../providers/json.js';
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

function argsText(args: unknown): string {
  return typeof args === 'string' ? args : JSON.stringify(args);
}

function choiceKey(choice: JsonObject, position: number): number {
  const i = choice['index'];
  return typeof i === 'number' ? i : position;
}

// ---- non-streamed ----

interface BodyCall {
  choice: JsonObject;
  message: JsonObject;
  entry: JsonObject;
  fn: JsonObject;
}

function bodyCalls(body: unknown): BodyCall[] {
  const out: BodyCall[] = [];
  for (const choice of arrayAt(body, 'choices')) {
    const message = objectAt(choice, 'message');
    if (!isObject(choice) || !message) continue;
    for (const entry of arrayAt(message, 'tool_calls')) {
      // Custom (free-text) tools carry `custom.input` instead; they are not function calls.
      const fn = objectAt(entry, 'function');
      if (isObject(entry) && fn) out.push({ choice, message, entry, fn });
    }
  }
  return out;
}

function readBody(body: unknown): FoundCall[] {
  return bodyCalls(body).map(({ entry, fn }) => {
    const id = entry['id'];
    const name = fn['name'];
    const args = fn['arguments'];
    return foundFromText(
      typeof id === 'string' ? id : null,
      typeof name === 'string' ? name : '',
      typeof args === 'string' ? args : args === undefined ? '' : JSON.stringify(args),
    );
  });
}

// ---- streamed ----

interface Fragment {
  slot: Slot;
  choice: JsonObject;
  delta: JsonObject;
  entry: JsonObject;
}

interface StreamCall {
  fragments: Fragment[];
}

/**
 * Groups the tool-call fragments of a stream by choice and `index`. A fragment without an index
 * (some compatible servers) opens a new call when it brings a new id and continues the choice's
 * last call otherwise.
 */
function streamCalls(slots: readonly Slot[]): StreamCall[] {
  const calls = new Map<string, StreamCall>();
  const lastOfChoice = new Map<number, string>();
  for (const slot of slots) {
    arrayAt(slot.object, 'choices').forEach((choice, position) => {
      const delta = objectAt(choice, 'delta');
      if (!isObject(choice) || !delta) return;
      const c = choiceKey(choice, position);
      for (const entry of arrayAt(delta, 'tool_calls')) {
        if (!isObject(entry)) continue;
        const index = entry['index'];
        const id = entry['id'];
        let key: string;
        if (typeof index === 'number') key = `${c}:${index}`;
        else if (typeof id === 'string' && id !== '') key = `${c}:id:${id}`;
        else key = lastOfChoice.get(c) ?? `${c}:0`;
        lastOfChoice.set(c, key);
        let call = calls.get(key);
        if (!call) calls.set(key, (call = { fragments: [] }));
        call.fragments.push({ slot, choice, delta, entry });
      }
    });
  }
  return [...calls.values()];
}

function fnOf(entry: JsonObject): JsonObject | undefined {
  return objectAt(entry, 'function');
}

function readStreamCall(call: StreamCall): FoundCall {
  let id: string | null = null;
  let name = '';
  let args = '';
  for (const { entry } of call.fragments) {
    const i = entry['id'];
    if (typeof i === 'string' && i !== '') id = i;
    const fn = fnOf(entry);
    const n = fn?.['name'];
    // The SDK's assembler lets a later stated name replace an earlier one.
    if (typeof n === 'string' && n !== '') name = n;
    const a = fn?.['arguments'];
    if (typeof a === 'string') args += a;
  }
  return foundFromText(id, name, args);
}

function hasArgs(f: Fragment): boolean {
  const a = fnOf(f.entry)?.['arguments'];
  return typeof a === 'string' && a !== '';
}

/** Takes one fragment out of its delta, and the whole event out when nothing else is left in it. */
function dropFragment(f: Fragment): void {
  const list = f.delta['tool_calls'];
  if (Array.isArray(list)) {
    const at = list.indexOf(f.entry);
    if (at >= 0) list.splice(at, 1);
    if (list.length === 0) delete f.delta['tool_calls'];
  }
  f.slot.dirty = true;
  if (chunkIsEmpty(f.slot.object)) f.slot.removed = true;
}

function emptyish(v: unknown): boolean {
  return v === undefined || v === null;
}

function chunkIsEmpty(chunk: JsonObject | undefined): boolean {
  if (!chunk || !emptyish(chunk['usage'])) return false;
  const choices = arrayAt(chunk, 'choices');
  return (
    choices.length > 0 &&
    choices.every((choice) => {
      const delta = objectAt(choice, 'delta');
      return (
        isObject(choice) &&
        delta !== undefined &&
        Object.keys(delta).length === 0 &&
        emptyish(choice['finish_reason']) &&
        emptyish(choice['logprobs'])
      );
    })
  );
}

/** Removes a fragment's argument text; the fragment goes too when that was all it carried. */
function clearArgs(f: Fragment): void {
  const fn = fnOf(f.entry);
  if (!fn) return;
  delete fn['arguments'];
  if (Object.keys(fn).length === 0) delete f.entry['function'];
  const rest = Object.keys(f.entry).filter((k) => k !== 'index' && k !== 'type');
  if (rest.length === 0) dropFragment(f);
  else f.slot.dirty = true;
}

function ensureFn(f: Fragment): JsonObject {
  const fn = fnOf(f.entry);
  if (fn) return fn;
  const created: JsonObject = {};
  f.entry['function'] = created;
  return created;
}

function writeStreamCall(call: StreamCall, edit: CallEdit): void {
  const first = call.fragments[0];
  if (!first) return;
  if (edit.id !== undefined) {
    for (const f of call.fragments) {
      if (typeof f.entry['id'] === 'string') {
        f.entry['id'] = edit.id;
        f.slot.dirty = true;
      }
    }
  }
  if (edit.name !== undefined) {
    const named = call.fragments.filter((f) => typeof fnOf(f.entry)?.['name'] === 'string');
    for (const f of named.length > 0 ? named : [first]) {
      ensureFn(f)['name'] = edit.name;
      f.slot.dirty = true;
    }
  }
  if (edit.args !== undefined) {
    const withArgs = call.fragments.filter(hasArgs);
    // The whole text goes where the first fragment of it was; with none, into the opening delta.
    const target = withArgs[0] ?? first;
    ensureFn(target)['arguments'] = argsText(edit.args);
    target.slot.dirty = true;
    for (const f of withArgs.slice(1)) clearArgs(f);
  }
}

function finishedNormally(choice: JsonObject): void {
  if (choice['finish_reason'] === 'tool_calls') choice['finish_reason'] = 'stop';
}

export const openaiChatToolCalls: ToolCallAdapter = {
  argsAre: 'text',

  read(response) {
    if (response.stream) return streamCalls(slotsOf(response)).map(readStreamCall);
    return readBody(bodyCopy(response));
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
    bodyCalls(body).forEach(({ entry, fn }, i) => {
      const edit = edits[i];
      if (!edit) return;
      if (edit.id !== undefined) entry['id'] = edit.id;
      if (edit.name !== undefined) fn['name'] = edit.name;
      if (edit.args !== undefined) fn['arguments'] = argsText(edit.args);
    });
    return withBody(response, body);
  },

  halfEmit(response, text) {
    if (response.stream) return halfEmitStream(response, text);
    const body = bodyCopy(response);
    const calls = bodyCalls(body);
    const first = calls[0];
    if (!first) return withBody(response, body);
    const content = first.message['content'];
    if (Array.isArray(content)) content.push({ type: 'text', text });
    else first.message['content'] = (typeof content === 'string' ? content : '') + text;
    for (const { message, choice } of calls) {
      delete message['tool_calls'];
      finishedNormally(choice);
    }
    return withBody(response, body);
  },
};

function halfEmitStream(response: RecordedResponse, text: string): RecordedResponse {
  const slots = slotsOf(response);
  const calls = streamCalls(slots);
  const first = calls[0]?.fragments[0];
  if (!first) return withStream(response, slots);
  // Choices whose call was removed must not announce tool calls at their end.
  const choices = new Set(calls.flatMap((c) => c.fragments.map((f) => choiceKeyOf(f))));
  const content = first.delta['content'];
  first.delta['content'] = (typeof content === 'string' ? content : '') + text;
  for (const call of calls) for (const f of call.fragments) dropFragment(f);
  for (const slot of slots) {
    arrayAt(slot.object, 'choices').forEach((choice, position) => {
      if (!isObject(choice) || !choices.has(choiceKey(choice, position))) return;
      if (choice['finish_reason'] === 'tool_calls') {
        finishedNormally(choice);
        slot.dirty = true;
      }
    });
  }
  return withStream(response, slots);
}

function choiceKeyOf(f: Fragment): number {
  const position = arrayAt(f.slot.object, 'choices').indexOf(f.choice);
  return choiceKey(f.choice, position);
}
