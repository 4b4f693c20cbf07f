/**
 * An independent reading of token usage from a raw provider reply, written from the providers'
 * documented fields rather than from Tapedeck's adapters, so the conformance suite can check the
 * recorder's numbers against a second opinion.
 */
import { parseSse } from './sse.js';

export type Family = 'chat' | 'responses' | 'messages' | 'gemini';

export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
}

type Obj = Record<string, unknown>;

/** Anthropic usage, split by model when the reply ran several (the advisor tool). */
type MessagesUsage = TokenCounts & { byModel?: (TokenCounts & { model: string })[] };

function obj(v: unknown): Obj | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The wire family a path belongs to, by the shapes the design names; null for anything else. */
export function familyOfPath(path: string): Family | null {
  if (/\/chat\/completions$/.test(path)) return 'chat';
  if (/\/responses$/.test(path)) return 'responses';
  if (/\/messages$/.test(path)) return 'messages';
  if (/:(generateContent|streamGenerateContent)$/.test(path)) return 'gemini';
  return null;
}

/** The family a reply body looks like, for replies on paths outside the named shapes. */
export function familyOfBody(text: string, sse: boolean): Family | null {
  const first = sse ? parseSse(text).map((e) => obj(parseJson(e.data))) : [obj(parseJson(text))];
  for (const o of first) {
    if (!o) continue;
    if (o['usageMetadata'] !== undefined || o['candidates'] !== undefined) return 'gemini';
    if (o['object'] === 'chat.completion' || o['object'] === 'chat.completion.chunk') return 'chat';
    // `response`, and `response.compaction` from /responses/compact, carry Responses usage.
    if (/^response(\.|$)/.test(String(o['object'])) || String(o['type']).startsWith('response.')) {
      return 'responses';
    }
    if (o['type'] === 'message' || o['type'] === 'message_start') return 'messages';
  }
  return null;
}

function chatUsage(u: Obj): TokenCounts {
  const prompt = obj(u['prompt_tokens_details']);
  const completion = obj(u['completion_tokens_details']);
  return {
    inputTokens: num(u['prompt_tokens']),
    outputTokens: num(u['completion_tokens']),
    cacheReadTokens: num(prompt?.['cached_tokens']),
    cacheWriteTokens: num(prompt?.['cache_write_tokens']),
    reasoningTokens: num(completion?.['reasoning_tokens']),
  };
}

function responsesUsage(u: Obj): TokenCounts {
  const input = obj(u['input_tokens_details']);
  const output = obj(u['output_tokens_details']);
  return {
    inputTokens: num(u['input_tokens']),
    outputTokens: num(u['output_tokens']),
    cacheReadTokens: num(input?.['cached_tokens']),
    cacheWriteTokens: num(input?.['cache_write_tokens']),
    reasoningTokens: num(output?.['reasoning_tokens']),
  };
}

/** Anthropic's `input_tokens` leaves out cache reads and writes; total input is all three. */
function messagesPass(u: Obj): TokenCounts {
  const read = num(u['cache_read_input_tokens']);
  const write = num(u['cache_creation_input_tokens']);
  return {
    inputTokens: num(u['input_tokens']) + read + write,
    outputTokens: num(u['output_tokens']),
    cacheReadTokens: read,
    cacheWriteTokens: write,
    reasoningTokens: num(obj(u['output_tokens_details'])?.['thinking_tokens']),
  };
}

/**
 * With server-side compaction the top-level fields describe only the final pass; Anthropic bills
 * the sum over `usage.iterations`. Advisor passes name the model they ran (and bill) on: they are
 * in the sum, and split out per model in `byModel`, the reply's own model first.
 */
function messagesUsage(u: Obj, model: unknown): MessagesUsage {
  const passes = (Array.isArray(u['iterations']) ? (u['iterations'] as unknown[]) : [])
    .map(obj)
    .filter(
      (p): p is Obj =>
        p !== undefined &&
        (p['type'] === 'message' || p['type'] === 'compaction' || p['type'] === 'advisor_message'),
    );
  const top = messagesPass(u);
  if (passes.length === 0) return top;
  // Passes carry no thinking breakdown; the top-level one covers the whole reply.
  const zero = { ...top, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
  const own = String(model);
  const perModel = new Map<string, TokenCounts>([[own, { ...zero }]]);
  for (const p of passes) {
    const name = typeof p['model'] === 'string' ? p['model'] : own;
    const into = perModel.get(name) ?? { ...zero, reasoningTokens: 0 };
    const c = messagesPass(p);
    into.inputTokens += c.inputTokens;
    into.outputTokens += c.outputTokens;
    into.cacheReadTokens += c.cacheReadTokens;
    into.cacheWriteTokens += c.cacheWriteTokens;
    perModel.set(name, into);
  }
  const total = { ...zero };
  for (const c of perModel.values()) {
    total.inputTokens += c.inputTokens;
    total.outputTokens += c.outputTokens;
    total.cacheReadTokens += c.cacheReadTokens;
    total.cacheWriteTokens += c.cacheWriteTokens;
  }
  if (perModel.size < 2) return total;
  return { ...total, byModel: [...perModel].map(([name, c]) => ({ model: name, ...c })) };
}

/** Gemini bills prompt + tool-use prompt as input, candidates + thoughts as output. */
function geminiUsage(u: Obj): TokenCounts {
  return {
    inputTokens: num(u['promptTokenCount']) + num(u['toolUsePromptTokenCount']),
    outputTokens: num(u['candidatesTokenCount']) + num(u['thoughtsTokenCount']),
    cacheReadTokens: num(u['cachedContentTokenCount']),
    cacheWriteTokens: 0,
    reasoningTokens: num(u['thoughtsTokenCount']),
  };
}

function fromJson(family: Family, body: Obj): TokenCounts | null {
  if (family === 'gemini') {
    const u = obj(body['usageMetadata']);
    return u ? geminiUsage(u) : null;
  }
  const u = obj(body['usage']);
  if (!u) return null;
  if (family === 'chat') return u['prompt_tokens'] === undefined ? null : chatUsage(u);
  if (family === 'responses') return u['input_tokens'] === undefined ? null : responsesUsage(u);
  return u['input_tokens'] === undefined && u['output_tokens'] === undefined
    ? null
    : messagesUsage(u, body['model']);
}

function fromStream(family: Family, text: string): TokenCounts | null {
  const datas = parseSse(text)
    .map((e) => obj(parseJson(e.data)))
    .filter((d): d is Obj => d !== undefined);
  if (family === 'messages') {
    // message_start carries the opening usage; each message_delta's fields are cumulative and win.
    let merged: Obj | undefined;
    let model: unknown;
    for (const d of datas) {
      if (d['type'] === 'message_start') model = obj(d['message'])?.['model'];
      const u =
        d['type'] === 'message_start'
          ? obj(obj(d['message'])?.['usage'])
          : d['type'] === 'message_delta'
            ? obj(d['usage'])
            : undefined;
      if (!u) continue;
      merged = { ...merged };
      for (const [k, v] of Object.entries(u)) if (v !== null && v !== undefined) merged[k] = v;
    }
    return merged ? messagesUsage(merged, model) : null;
  }
  if (family === 'responses') {
    let last: TokenCounts | null = null;
    for (const d of datas) {
      const terminal = ['response.completed', 'response.incomplete', 'response.failed'].includes(
        String(d['type']),
      );
      const response = obj(d['response']);
      if (terminal && response) last = fromJson('responses', response) ?? last;
    }
    return last;
  }
  let last: TokenCounts | null = null;
  for (const d of datas) last = fromJson(family, d) ?? last;
  return last;
}

/** Usage as the provider reported it in this reply, or null when the reply reports none. */
export function providerUsage(family: Family, bodyText: string, sse: boolean): TokenCounts | null {
  if (sse) return fromStream(family, bodyText);
  const body = obj(parseJson(bodyText));
  return body ? fromJson(family, body) : null;
}
