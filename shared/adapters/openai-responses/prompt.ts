/** The conversation of a Responses request: `instructions`, then the `input` items. */
import { isObject, stringAt } from '../../providers/json.js';
import type { Message } from '../adapter.js';
import { otherBlock, pretty, textBlock } from '../blocks.js';
import { openaiPart } from '../openai-common/prompt.js';

function item(it: unknown): Message {
  if (typeof it === 'string') return { role: 'user', blocks: [textBlock(it)] };
  if (!isObject(it)) return { role: '?', blocks: [otherBlock(it)] };
  const type = stringAt(it, 'type');
  if (type === 'function_call') {
    const label = stringAt(it, 'name') ?? 'tool';
    return {
      role: 'assistant',
      blocks: [{ kind: 'tool-call', label, text: pretty(it['arguments']) }],
    };
  }
  if (type === 'function_call_output') {
    const result = { kind: 'tool-result' as const, text: pretty(it['output']) };
    const label = stringAt(it, 'call_id');
    return { role: 'tool', blocks: [label === undefined ? result : { ...result, label }] };
  }
  const role = stringAt(it, 'role') ?? type ?? '?';
  const content = it['content'];
  if (typeof content === 'string') return { role, blocks: [textBlock(content)] };
  if (Array.isArray(content)) return { role, blocks: content.map(openaiPart) };
  return { role, blocks: [otherBlock(it, type)] };
}

export function responsesPrompt(body: unknown): Message[] | null {
  const input = isObject(body) ? body['input'] : undefined;
  if (!isObject(body) || input === undefined) return null;
  const out: Message[] = [];
  const instructions = stringAt(body, 'instructions');
  if (instructions) out.push({ role: 'system', blocks: [textBlock(instructions)] });
  if (typeof input === 'string') out.push({ role: 'user', blocks: [textBlock(input)] });
  else if (Array.isArray(input)) out.push(...input.map(item));
  return out;
}
