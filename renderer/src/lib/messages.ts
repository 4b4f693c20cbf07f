/**
 * The conversation inside a request body, read per wire family, so a person sees who said what
 * instead of nested JSON. Anything this does not recognise stays visible in the raw body view.
 */

export type BlockKind = 'text' | 'tool-call' | 'tool-result' | 'media' | 'other';

export interface Block {
  kind: BlockKind;
  /** Tool name, media type or part type. */
  label?: string;
  text: string;
}

export interface Message {
  role: string;
  blocks: Block[];
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function pretty(v: unknown): string {
  if (typeof v === 'string') {
    try {
      return JSON.stringify(JSON.parse(v), null, 2);
    } catch {
      return v;
    }
  }
  return JSON.stringify(v, null, 2) ?? String(v);
}

function textBlock(text: string): Block {
  return { kind: 'text', text };
}

// ---- OpenAI chat.completions (also xAI, OpenRouter, OpenAI-compatible servers) ----

function openaiPart(part: unknown): Block {
  if (!isObj(part)) return { kind: 'other', text: pretty(part) };
  const type = str(part['type']) ?? 'part';
  if (type === 'text' || type === 'input_text' || type === 'output_text') {
    return textBlock(str(part['text']) ?? '');
  }
  if (type === 'image_url' || type === 'input_image' || type === 'input_audio' || type === 'file') {
    return { kind: 'media', label: type, text: summarizeMedia(part) };
  }
  return { kind: 'other', label: type, text: pretty(part) };
}

function summarizeMedia(part: Obj): string {
  const url = isObj(part['image_url']) ? str(part['image_url']['url']) : str(part['image_url']);
  const source = url ?? str(part['url']) ?? '';
  return source.startsWith('data:') ? `${source.slice(0, source.indexOf(',') + 1)}…` : source;
}

function openaiChat(body: Obj): Message[] | null {
  const messages = body['messages'];
  if (!Array.isArray(messages)) return null;
  return messages.map((m): Message => {
    if (!isObj(m)) return { role: '?', blocks: [{ kind: 'other', text: pretty(m) }] };
    const role = str(m['role']) ?? '?';
    const blocks: Block[] = [];
    const content = m['content'];
    if (typeof content === 'string') {
      blocks.push(
        role === 'tool' ? { kind: 'tool-result', text: pretty(content) } : textBlock(content),
      );
    } else if (Array.isArray(content)) {
      blocks.push(...content.map(openaiPart));
    }
    if (Array.isArray(m['tool_calls'])) {
      for (const call of m['tool_calls']) {
        const fn = isObj(call) && isObj(call['function']) ? call['function'] : null;
        blocks.push({
          kind: 'tool-call',
          label: str(fn?.['name']) ?? 'tool',
          text: pretty(fn?.['arguments'] ?? ''),
        });
      }
    }
    if (role === 'tool' && str(m['tool_call_id'])) {
      const first = blocks[0];
      if (first) first.label = `result of ${str(m['tool_call_id'])}`;
    }
    return { role, blocks };
  });
}

// ---- OpenAI responses ----

function responsesItem(item: unknown): Message {
  if (typeof item === 'string') return { role: 'user', blocks: [textBlock(item)] };
  if (!isObj(item)) return { role: '?', blocks: [{ kind: 'other', text: pretty(item) }] };
  const type = str(item['type']);
  if (type === 'function_call') {
    return {
      role: 'assistant',
      blocks: [
        { kind: 'tool-call', label: str(item['name']) ?? 'tool', text: pretty(item['arguments']) },
      ],
    };
  }
  if (type === 'function_call_output') {
    return {
      role: 'tool',
      blocks: [{ kind: 'tool-result', label: str(item['call_id']), text: pretty(item['output']) }],
    };
  }
  const role = str(item['role']) ?? type ?? '?';
  const content = item['content'];
  if (typeof content === 'string') return { role, blocks: [textBlock(content)] };
  if (Array.isArray(content)) return { role, blocks: content.map(openaiPart) };
  return { role, blocks: [{ kind: 'other', label: type, text: pretty(item) }] };
}

function openaiResponses(body: Obj): Message[] | null {
  const input = body['input'];
  if (input === undefined) return null;
  const out: Message[] = [];
  const instructions = str(body['instructions']);
  if (instructions) out.push({ role: 'system', blocks: [textBlock(instructions)] });
  if (typeof input === 'string') out.push({ role: 'user', blocks: [textBlock(input)] });
  else if (Array.isArray(input)) out.push(...input.map(responsesItem));
  return out;
}

// ---- Anthropic messages ----

function anthropicBlock(block: unknown): Block {
  if (typeof block === 'string') return textBlock(block);
  if (!isObj(block)) return { kind: 'other', text: pretty(block) };
  const type = str(block['type']) ?? 'block';
  switch (type) {
    case 'text':
      return textBlock(str(block['text']) ?? '');
    case 'thinking':
      return { kind: 'other', label: 'thinking', text: str(block['thinking']) ?? '' };
    case 'tool_use':
      return {
        kind: 'tool-call',
        label: str(block['name']) ?? 'tool',
        text: pretty(block['input']),
      };
    case 'tool_result': {
      const content = block['content'];
      const text = Array.isArray(content)
        ? content.map((c) => anthropicBlock(c).text).join('\n')
        : pretty(content ?? '');
      return { kind: 'tool-result', label: str(block['tool_use_id']), text };
    }
    case 'image':
    case 'document':
      return { kind: 'media', label: type, text: pretty(block['source'] ?? '') };
    default:
      return { kind: 'other', label: type, text: pretty(block) };
  }
}

function anthropicMessages(body: Obj): Message[] | null {
  const messages = body['messages'];
  if (!Array.isArray(messages)) return null;
  const out: Message[] = [];
  const system = body['system'];
  if (typeof system === 'string') out.push({ role: 'system', blocks: [textBlock(system)] });
  else if (Array.isArray(system)) out.push({ role: 'system', blocks: system.map(anthropicBlock) });
  for (const m of messages) {
    if (!isObj(m)) continue;
    const content = m['content'];
    const blocks = Array.isArray(content) ? content.map(anthropicBlock) : [anthropicBlock(content)];
    out.push({ role: str(m['role']) ?? '?', blocks });
  }
  return out;
}

// ---- Gemini generateContent ----

function geminiPart(part: unknown): Block {
  if (!isObj(part)) return { kind: 'other', text: pretty(part) };
  if (typeof part['text'] === 'string') {
    return part['thought'] === true
      ? { kind: 'other', label: 'thought', text: part['text'] }
      : textBlock(part['text']);
  }
  if (isObj(part['functionCall'])) {
    const fc = part['functionCall'];
    return { kind: 'tool-call', label: str(fc['name']) ?? 'tool', text: pretty(fc['args'] ?? {}) };
  }
  if (isObj(part['functionResponse'])) {
    const fr = part['functionResponse'];
    return { kind: 'tool-result', label: str(fr['name']), text: pretty(fr['response'] ?? {}) };
  }
  if (isObj(part['inlineData']) || isObj(part['fileData'])) {
    const d = (part['inlineData'] ?? part['fileData']) as Obj;
    return { kind: 'media', label: str(d['mimeType']) ?? 'data', text: str(d['fileUri']) ?? '' };
  }
  return { kind: 'other', text: pretty(part) };
}

function geminiContents(body: Obj): Message[] | null {
  const contents = body['contents'];
  if (!Array.isArray(contents)) return null;
  const out: Message[] = [];
  const sys = body['systemInstruction'] ?? body['system_instruction'];
  if (isObj(sys) && Array.isArray(sys['parts'])) {
    out.push({ role: 'system', blocks: sys['parts'].map(geminiPart) });
  }
  for (const c of contents) {
    if (!isObj(c)) continue;
    const parts = Array.isArray(c['parts']) ? c['parts'] : [];
    out.push({ role: str(c['role']) ?? 'user', blocks: parts.map(geminiPart) });
  }
  return out;
}

/**
 * The prompt of a request, read by the API the call was recorded through; when the API is not
 * one we know, each reader is tried by the shape of the body. Null when none fits.
 */
export function promptMessages(api: string, body: unknown): Message[] | null {
  if (!isObj(body)) return null;
  const byApi: Record<string, (b: Obj) => Message[] | null> = {
    'chat.completions': openaiChat,
    responses: openaiResponses,
    messages: anthropicMessages,
    generateContent: geminiContents,
    streamGenerateContent: geminiContents,
  };
  const first = byApi[api];
  const readers = first
    ? [first]
    : [geminiContents, openaiResponses, anthropicMessages, openaiChat];
  for (const read of readers) {
    const messages = read(body);
    if (messages) return messages;
  }
  return null;
}

// ---- The reply: text the model produced, from a JSON body or from stream events ----

function replyFromBody(body: unknown): string | null {
  if (!isObj(body)) return null;
  const choices = body['choices'];
  if (Array.isArray(choices)) {
    const message = isObj(choices[0]) ? choices[0]['message'] : undefined;
    if (isObj(message)) return str(message['content']) ?? '';
  }
  const content = body['content'];
  if (Array.isArray(content)) {
    return content
      .filter((b) => isObj(b) && b['type'] === 'text')
      .map((b) => str((b as Obj)['text']) ?? '')
      .join('');
  }
  const candidates = body['candidates'];
  if (Array.isArray(candidates) && isObj(candidates[0])) {
    const c = candidates[0]['content'];
    if (isObj(c) && Array.isArray(c['parts'])) {
      return c['parts']
        .filter((p) => isObj(p) && typeof p['text'] === 'string' && p['thought'] !== true)
        .map((p) => (p as Obj)['text'] as string)
        .join('');
    }
  }
  const output = body['output'];
  if (Array.isArray(output)) {
    const texts: string[] = [];
    for (const item of output) {
      if (!isObj(item) || !Array.isArray(item['content'])) continue;
      for (const part of item['content']) {
        if (isObj(part) && part['type'] === 'output_text') texts.push(str(part['text']) ?? '');
      }
    }
    return texts.join('');
  }
  return null;
}

/** Text deltas of one stream event, whatever the family; '' for events that carry none. */
function deltaText(data: unknown): string {
  if (!isObj(data)) return '';
  const choices = data['choices'];
  if (Array.isArray(choices) && isObj(choices[0]) && isObj(choices[0]['delta'])) {
    return str(choices[0]['delta']['content']) ?? '';
  }
  if (data['type'] === 'content_block_delta' && isObj(data['delta'])) {
    return str(data['delta']['text']) ?? '';
  }
  if (data['type'] === 'response.output_text.delta') return str(data['delta']) ?? '';
  return replyFromBody(data) ?? '';
}

export interface StreamEventLike {
  data?: string;
}

export function replyText(
  body: unknown,
  stream: readonly StreamEventLike[] | undefined,
): string | null {
  if (!stream) return replyFromBody(body);
  let text = '';
  let any = false;
  for (const ev of stream) {
    if (!ev.data || ev.data === '[DONE]') continue;
    try {
      const piece = deltaText(JSON.parse(ev.data));
      if (piece) any = true;
      text += piece;
    } catch {
      // a malformed event is shown in the timeline as it is; it adds nothing to the text
    }
  }
  return any ? text : null;
}
