/**
 * The conversation of a Cohere v2 chat request: `messages[]` with `role` system/user/assistant/
 * tool, `content` a string or `[{type:'text', text}]` (documents and images as other parts),
 * assistant `tool_calls` and `tool_plan`, tool results by `tool_call_id`; and its token estimate.
 */
import { countTextTokens } from '../../providers/estimate.js';
import { arrayAt, isObject, objectAt, stringAt } from '../../providers/json.js';
import type { Block, Message } from '../adapter.js';

function partOf(p: unknown): Block {
  const type = stringAt(p, 'type') ?? '';
  if (type === 'text') return { kind: 'text', text: stringAt(p, 'text') ?? '' };
  if (type === 'image_url') return { kind: 'media', label: 'image', text: '' };
  if (type === 'document')
    return {
      kind: 'other',
      label: 'document',
      text: JSON.stringify(objectAt(p, 'document') ?? {}),
    };
  return { kind: 'other', label: type, text: '' };
}

function contentBlocks(m: unknown, kind: 'text' | 'tool-result'): Block[] {
  const content = isObject(m) ? m['content'] : undefined;
  const label = kind === 'tool-result' ? stringAt(m, 'tool_call_id') : undefined;
  const blocks =
    typeof content === 'string'
      ? [{ kind: 'text' as const, text: content }]
      : arrayAt(m, 'content').map(partOf);
  return kind === 'tool-result'
    ? [{ kind, ...(label ? { label } : {}), text: blocks.map((b) => b.text).join('\n') }]
    : blocks;
}

export function coherePrompt(body: unknown): Message[] | null {
  if (!isObject(body) || !Array.isArray(body['messages'])) return null;
  return arrayAt(body, 'messages').map((m) => {
    const role = stringAt(m, 'role') ?? '';
    const blocks = contentBlocks(m, role === 'tool' ? 'tool-result' : 'text');
    const plan = stringAt(m, 'tool_plan');
    if (plan) blocks.push({ kind: 'other', label: 'tool_plan', text: plan });
    for (const call of arrayAt(m, 'tool_calls')) {
      const fn = objectAt(call, 'function');
      blocks.push({
        kind: 'tool-call',
        label: stringAt(fn, 'name') ?? '',
        text: stringAt(fn, 'arguments') ?? '',
      });
    }
    return { role, blocks };
  });
}

/** Per message: Command's turn markers around it (`<|START_OF_TURN_TOKEN|><|USER_TOKEN|>` …). */
const PER_MESSAGE = 4;

/**
 * Input tokens of a chat request as Cohere bills them: the messages' text and tool definitions.
 * Counted with o200k, not Cohere's own tokenizer: an approximation, marked `estimated`.
 */
export function cohereInputTokens(body: unknown): number {
  const messages = coherePrompt(body);
  if (!messages) return 0;
  let n = 0;
  for (const m of messages) {
    n += PER_MESSAGE;
    for (const b of m.blocks)
      n += countTextTokens(b.kind === 'tool-call' ? `${b.label ?? ''}\n${b.text}` : b.text);
  }
  for (const t of arrayAt(body, 'tools'))
    n += countTextTokens(JSON.stringify(objectAt(t, 'function') ?? t));
  return n;
}
