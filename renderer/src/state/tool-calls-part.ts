/**
 * The "Tool calls" part: the reply's tool calls as a person reads them (arguments as JSON, not
 * as an escaped string), written back through shared/tool-calls, which knows each wire format
 * and turns an edited streamed call into one argument delta.
 */
import type { Call } from '../../../shared/schema.js';
import { toolCallsOf, withToolCalls, type ToolCallView } from '../../../shared/tool-calls/index.js';
import { registerPartCodec, type PartCodec } from './doc-parts.js';

interface ShownToolCall {
  index: number;
  id: string | null;
  name: string;
  /** Parsed when the recorded text is JSON; the text itself when it is not (a cut stream). */
  arguments: unknown;
}

function asCall(file: Record<string, unknown>): Call {
  return file as unknown as Call;
}

function parsedOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function recordedToolCalls(file: Record<string, unknown>): ToolCallView[] {
  if (typeof file['api'] !== 'string' || typeof file['response'] !== 'object') return [];
  return toolCallsOf(asCall(file));
}

function isShown(v: unknown): v is ShownToolCall {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o['index'] === 'number' &&
    typeof o['name'] === 'string' &&
    (o['id'] === null || typeof o['id'] === 'string' || o['id'] === undefined) &&
    'arguments' in o
  );
}

/**
 * Arguments equal in value to the recorded ones keep the recorded text byte for byte, so
 * re-indenting in the editor does not count as an edit of the reply.
 */
function argumentText(shown: unknown, recorded: ToolCallView | undefined): string {
  if (typeof shown === 'string') return shown;
  const compact = JSON.stringify(shown);
  if (recorded && JSON.stringify(parsedOrText(recorded.arguments)) === compact) {
    return recorded.arguments;
  }
  return compact;
}

export const toolCallsCodec: PartCodec = {
  schema: null,
  read(file) {
    const shown: ShownToolCall[] = recordedToolCalls(file).map((v) => ({
      index: v.index,
      id: v.id,
      name: v.name,
      arguments: parsedOrText(v.arguments),
    }));
    return JSON.stringify(shown, null, 2);
  },
  write(file, value) {
    if (!Array.isArray(value) || !value.every(isShown)) {
      throw new Error('tool calls: a list of { index, id, name, arguments }');
    }
    const recorded = recordedToolCalls(file);
    const views: ToolCallView[] = value.map((v) => ({
      index: v.index,
      id: v.id ?? null,
      name: v.name,
      arguments: argumentText(v.arguments, recorded[v.index]),
    }));
    // ToolCallEditError's message says what is wrong (count, index, argument shape).
    return withToolCalls(asCall(file), views) as unknown as Record<string, unknown>;
  },
};

registerPartCodec('tools', toolCallsCodec);
