/**
 * The tool calls of a recorded reply, for every family, streamed or not: read them as the
 * assembled calls a client would see, and write edited ones back into the recording.
 */
import { isObject } from '../providers/json.js';
import type { Call } from '../schema.js';
import { adapterOf, toolCallFamily, type ToolCallFamily } from './family.js';
import type { CallEdit, FoundCall } from './reply.js';

export { toolCallFamily, type ToolCallFamily } from './family.js';
export { breakToolCalls, type BreakMode } from './break.js';

export interface ToolCallView {
  /** Position among the reply's tool calls. */
  index: number;
  /** The call id where the provider has one (call_…, toolu_…, Gemini functionCall.id). */
  id: string | null;
  name: string;
  /** The arguments as JSON text: OpenAI's string as sent; JSON.stringify(input/args, null, 2) for Anthropic and Gemini. */
  arguments: string;
}

export class ToolCallEditError extends Error {
  override name = 'ToolCallEditError';
}

type CallLike = Pick<Call, 'request' | 'response'> & { api: string };

function view(found: FoundCall, index: number): ToolCallView {
  return { index, id: found.id, name: found.name, arguments: found.text };
}

export function toolCallsOf(call: CallLike, path?: string): ToolCallView[] {
  const family = toolCallFamily(call, path);
  return family ? adapterOf(family).read(call.response).map(view) : [];
}

const OBJECT_ARGS: Readonly<Partial<Record<ToolCallFamily, string>>> = {
  'anthropic-messages': 'Anthropic tool input',
  gemini: 'Gemini functionCall args',
  'bedrock-converse': 'Bedrock toolUse input',
};

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  return Array.isArray(v) ? 'an array' : `a ${typeof v}`;
}

function objectArgs(family: ToolCallFamily, v: ToolCallView): unknown {
  const what = OBJECT_ARGS[family] ?? 'the arguments';
  const where = `tool call ${String(v.index)} (${v.name})`;
  let value: unknown;
  try {
    value = JSON.parse(v.arguments) as unknown;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ToolCallEditError(
      `${where}: ${what} must be a JSON object, but the text is not JSON: ${reason}`,
    );
  }
  if (!isObject(value)) {
    throw new ToolCallEditError(`${where}: ${what} must be a JSON object, not ${kindOf(value)}`);
  }
  return value;
}

function editOf(family: ToolCallFamily, found: FoundCall, v: ToolCallView): CallEdit | undefined {
  const edit: CallEdit = {};
  // A null id means "no id to set": families that require one keep the recorded one.
  if (v.id !== null && v.id !== found.id) edit.id = v.id;
  if (v.name !== found.name) edit.name = v.name;
  if (v.arguments !== found.text) {
    edit.args = adapterOf(family).argsAre === 'text' ? v.arguments : objectArgs(family, v);
  }
  return Object.keys(edit).length > 0 ? edit : undefined;
}

/**
 * Returns a new Call with the tool calls replaced (same count, matched by `index`). A call whose
 * view is unchanged is left exactly as recorded. For streams: the name (and id) is changed where
 * the stream states it, and the argument deltas of an edited call are replaced by ONE delta that
 * carries the whole new arguments text (the other argument deltas are removed; the times of the
 * remaining events are kept). Non-streamed: the body is rewritten in place. Throws
 * ToolCallEditError when the count or indexes do not match the reply, or when a family needs an
 * object (Anthropic input, Gemini args) and the text is not a JSON object.
 */
export function withToolCalls(call: Call, edited: readonly ToolCallView[]): Call {
  const family = toolCallFamily(call);
  const found = family ? adapterOf(family).read(call.response) : [];
  if (edited.length !== found.length) {
    throw new ToolCallEditError(
      `the reply has ${String(found.length)} tool call(s) but ${String(edited.length)} were given`,
    );
  }
  const byIndex = new Map<number, ToolCallView>();
  for (const v of edited) {
    if (
      !Number.isInteger(v.index) ||
      v.index < 0 ||
      v.index >= found.length ||
      byIndex.has(v.index)
    ) {
      throw new ToolCallEditError(
        `tool call index ${String(v.index)} is not one of 0…${String(found.length - 1)} or appears twice`,
      );
    }
    byIndex.set(v.index, v);
  }
  if (!family) return { ...call };
  const edits = found.map((f, i) => {
    const v = byIndex.get(i);
    return v ? editOf(family, f, v) : undefined;
  });
  if (edits.every((e) => e === undefined)) return { ...call };
  return { ...call, response: adapterOf(family).write(call.response, edits) };
}
