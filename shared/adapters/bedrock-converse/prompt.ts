/**
 * The conversation of a Converse request (`system[]`, `messages[].content[]` blocks, and the tools
 * of `toolConfig`) as the UI shows it, and its token estimate.
 */
import { countTextTokens } from '../../providers/estimate.js';
import { arrayAt, isObject, objectAt, stringAt } from '../../providers/json.js';
import type { Block, Message } from '../adapter.js';

function toolResultText(result: Record<string, unknown>): string {
  return arrayAt(result, 'content')
    .map(
      (c) => stringAt(c, 'text') ?? (isObject(c) && 'json' in c ? JSON.stringify(c['json']) : ''),
    )
    .join('\n');
}

const MEDIA = ['image', 'document', 'video', 'audio'];

function blockOf(b: unknown): Block {
  const text = stringAt(b, 'text');
  if (text !== undefined) return { kind: 'text', text };
  const tool = objectAt(b, 'toolUse');
  if (tool)
    return {
      kind: 'tool-call',
      label: stringAt(tool, 'name') ?? '',
      text: JSON.stringify(tool['input'] ?? {}, null, 2),
    };
  const result = objectAt(b, 'toolResult');
  if (result)
    return {
      kind: 'tool-result',
      label: stringAt(result, 'toolUseId') ?? '',
      text: toolResultText(result),
    };
  const reasoning = objectAt(objectAt(b, 'reasoningContent'), 'reasoningText');
  if (reasoning)
    return { kind: 'other', label: 'reasoning', text: stringAt(reasoning, 'text') ?? '' };
  for (const m of MEDIA) {
    const media = objectAt(b, m);
    if (media) return { kind: 'media', label: `${m}/${stringAt(media, 'format') ?? ''}`, text: '' };
  }
  return { kind: 'other', label: isObject(b) ? (Object.keys(b)[0] ?? '') : '', text: '' };
}

export function bedrockPrompt(body: unknown): Message[] | null {
  if (!isObject(body) || !Array.isArray(body['messages'])) return null;
  const out: Message[] = [];
  const system = arrayAt(body, 'system')
    .map(blockOf)
    .filter((b) => b.kind === 'text');
  if (system.length > 0) out.push({ role: 'system', blocks: system });
  for (const m of arrayAt(body, 'messages'))
    out.push({ role: stringAt(m, 'role') ?? '', blocks: arrayAt(m, 'content').map(blockOf) });
  return out;
}

/** Per message: the role and turn markers the model sees around it (the Anthropic figure). */
const PER_MESSAGE = 3;

/**
 * Input tokens of a Converse request: the text of the system prompt, messages, tool calls and
 * results, plus the tool specs as JSON. Bedrock hosts many model families with tokenizers of their
 * own, so this is o200k text counting, an approximation, marked `estimated` where it is used.
 */
export function bedrockInputTokens(body: unknown): number {
  const messages = bedrockPrompt(body);
  if (!messages) return 0;
  let n = 0;
  for (const m of messages) {
    n += PER_MESSAGE;
    for (const b of m.blocks)
      n += countTextTokens(b.kind === 'tool-call' ? `${b.label ?? ''}\n${b.text}` : b.text);
  }
  for (const t of arrayAt(objectAt(body, 'toolConfig'), 'tools')) {
    const spec = objectAt(t, 'toolSpec');
    if (spec) n += countTextTokens(JSON.stringify(spec));
  }
  return n;
}
