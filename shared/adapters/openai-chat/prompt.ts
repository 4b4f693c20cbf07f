/** The conversation of a Chat Completions request: `messages`, with tool calls and results marked. */
import { arrayAt, isObject, objectAt, stringAt } from '../../providers/json.js';
import type { Block, Message } from '../adapter.js';
import { otherBlock, pretty, textBlock } from '../blocks.js';
import { openaiPart } from '../openai-common/prompt.js';

function message(m: unknown): Message {
  if (!isObject(m)) return { role: '?', blocks: [otherBlock(m)] };
  const role = stringAt(m, 'role') ?? '?';
  const blocks: Block[] = [];
  const content = m['content'];
  if (typeof content === 'string') {
    blocks.push(
      role === 'tool' ? { kind: 'tool-result', text: pretty(content) } : textBlock(content),
    );
  } else if (Array.isArray(content)) {
    blocks.push(...content.map(openaiPart));
  }
  for (const call of arrayAt(m, 'tool_calls')) {
    const fn = objectAt(call, 'function');
    blocks.push({
      kind: 'tool-call',
      label: stringAt(fn, 'name') ?? 'tool',
      text: pretty(fn?.['arguments'] ?? ''),
    });
  }
  const resultOf = stringAt(m, 'tool_call_id');
  if (role === 'tool' && resultOf && blocks[0]) blocks[0].label = `result of ${resultOf}`;
  return { role, blocks };
}

export function chatPrompt(body: unknown): Message[] | null {
  const messages = isObject(body) ? body['messages'] : undefined;
  return Array.isArray(messages) ? messages.map(message) : null;
}
