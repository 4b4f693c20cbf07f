/**
 * Capability filters: what a request needs, and whether a model covers it. They run before any
 * cost or latency is weighed, so a cheap model that cannot do the job is never a candidate, and a
 * fallback never lands on a model that does less than the request needs.
 */
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import type { ModelEntry } from './registry.js';
import type { RouteRequest } from './request.js';

export interface Needs {
  tools: boolean;
  vision: boolean;
  /** Prompt tokens plus the reply's room: what the context window must hold. */
  contextTokens: number;
  promptTokens: number;
  /** The reply's expected size, for the cost estimate. */
  outputTokens: number;
}

/** Without `max_tokens`, a reply is assumed to need this much room. */
const DEFAULT_OUTPUT_TOKENS = 1024;
/** Per message, as OpenAI's own counting guide adds for the role and separators. */
const PER_MESSAGE_TOKENS = 4;

export function needsOf(req: RouteRequest): Needs {
  let prompt = 0;
  let vision = false;
  for (const m of req.messages) {
    prompt += PER_MESSAGE_TOKENS;
    if (typeof m.content === 'string') prompt += countTokens(m.content);
    else if (Array.isArray(m.content))
      for (const part of m.content) {
        if (part.type === 'image_url' || part.type === 'input_image') vision = true;
        else if (typeof part['text'] === 'string') prompt += countTokens(part['text']);
      }
  }
  const tools = (req.tools?.length ?? 0) > 0;
  if (tools) prompt += countTokens(JSON.stringify(req.tools));
  const output = req.max_tokens ?? DEFAULT_OUTPUT_TOKENS;
  return {
    tools,
    vision,
    promptTokens: prompt,
    outputTokens: output,
    contextTokens: prompt + output,
  };
}

/** Why `entry` cannot serve a request with these needs, or null when it can. */
export function uncovered(entry: ModelEntry, needs: Needs): string | null {
  if (needs.tools && !entry.supports.tools) return 'no tool calling';
  if (needs.vision && !entry.supports.vision) return 'no image input';
  if (needs.contextTokens > entry.contextWindow)
    return `context ${needs.contextTokens} tokens > window ${entry.contextWindow}`;
  return null;
}
