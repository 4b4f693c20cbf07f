/** The conversation of a generateContent request: `systemInstruction`, then `contents`. */
import { arrayAt, isObject, objectAt, stringAt } from '../../providers/json.js';
import type { Block, Message } from '../adapter.js';
import { otherBlock, pretty, textBlock } from '../blocks.js';

function part(p: unknown): Block {
  if (!isObject(p)) return otherBlock(p);
  const text = p['text'];
  if (typeof text === 'string') {
    return p['thought'] === true ? { kind: 'other', label: 'thought', text } : textBlock(text);
  }
  const call = objectAt(p, 'functionCall');
  if (call)
    return {
      kind: 'tool-call',
      label: stringAt(call, 'name') ?? 'tool',
      text: pretty(call['args'] ?? {}),
    };
  const result = objectAt(p, 'functionResponse');
  if (result) {
    const block: Block = { kind: 'tool-result', text: pretty(result['response'] ?? {}) };
    const name = stringAt(result, 'name');
    return name === undefined ? block : { ...block, label: name };
  }
  const data = objectAt(p, 'inlineData') ?? objectAt(p, 'fileData');
  if (data) {
    return {
      kind: 'media',
      label: stringAt(data, 'mimeType') ?? 'data',
      text: stringAt(data, 'fileUri') ?? '',
    };
  }
  return otherBlock(p);
}

export function geminiPrompt(body: unknown): Message[] | null {
  const contents = isObject(body) ? body['contents'] : undefined;
  if (!isObject(body) || !Array.isArray(contents)) return null;
  const out: Message[] = [];
  const sys = body['systemInstruction'] ?? body['system_instruction'];
  if (isObject(sys) && Array.isArray(sys['parts'])) {
    out.push({ role: 'system', blocks: arrayAt(sys, 'parts').map(part) });
  }
  for (const c of contents) {
    if (!isObject(c)) continue;
    out.push({ role: stringAt(c, 'role') ?? 'user', blocks: arrayAt(c, 'parts').map(part) });
  }
  return out;
}
