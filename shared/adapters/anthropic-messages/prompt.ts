/** The conversation of a Messages request: `system`, then each message's content blocks. */
import { isObject, stringAt } from '../../providers/json.js';
import type { Block, Message } from '../adapter.js';
import { otherBlock, pretty, textBlock } from '../blocks.js';

function block(b: unknown): Block {
  if (typeof b === 'string') return textBlock(b);
  if (!isObject(b)) return otherBlock(b);
  const type = stringAt(b, 'type') ?? 'block';
  const str = (key: string): string => (typeof b[key] === 'string' ? b[key] : '');
  switch (type) {
    case 'text':
      return textBlock(str('text'));
    case 'thinking':
      return { kind: 'other', label: 'thinking', text: str('thinking') };
    case 'tool_use':
      return { kind: 'tool-call', label: stringAt(b, 'name') ?? 'tool', text: pretty(b['input']) };
    case 'tool_result': {
      const content = b['content'];
      const text = Array.isArray(content)
        ? content.map((c) => block(c).text).join('\n')
        : pretty(content ?? '');
      const label = stringAt(b, 'tool_use_id');
      return label === undefined
        ? { kind: 'tool-result', text }
        : { kind: 'tool-result', label, text };
    }
    case 'image':
    case 'document':
      return { kind: 'media', label: type, text: pretty(b['source'] ?? '') };
    default:
      return otherBlock(b, type);
  }
}

export function anthropicPrompt(body: unknown): Message[] | null {
  const messages = isObject(body) ? body['messages'] : undefined;
  if (!isObject(body) || !Array.isArray(messages)) return null;
  const out: Message[] = [];
  const system = body['system'];
  if (typeof system === 'string') out.push({ role: 'system', blocks: [textBlock(system)] });
  else if (Array.isArray(system)) out.push({ role: 'system', blocks: system.map(block) });
  for (const m of messages) {
    if (!isObject(m)) continue;
    const content = m['content'];
    const blocks = Array.isArray(content) ? content.map(block) : [block(content)];
    out.push({ role: stringAt(m, 'role') ?? '?', blocks });
  }
  return out;
}
