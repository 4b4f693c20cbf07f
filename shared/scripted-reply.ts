/**
 * Scripted replies (issue #11): a ModelMesh-style canned answer, rendered by each API family's
 * adapter (`ProviderAdapter.scripted`) in that family's wire format, so `createMockFetch({ responses })`
 * answers an OpenAI, Anthropic or Gemini request the way that vendor would.
 */

/** One tool call of a scripted reply. */
export interface ScriptedToolCall {
  /** The call id; made up from the reply's position when left out. */
  id?: string;
  name: string;
  /** An object, or JSON text (as OpenAI sends arguments); `{}` when left out. */
  arguments?: unknown;
}

/** What the reply says; every field is optional (an empty object is an empty answer). */
export interface ScriptedResponse {
  content?: string;
  /** The model the reply names; the request's model when left out. */
  model?: string;
  /** Total tokens, split as ModelMesh does: prompt = floor(tokens / 3), completion = the rest. */
  tokens?: number;
  promptTokens?: number;
  completionTokens?: number;
  /**
   * In OpenAI's words (`stop`, `length`, `tool_calls`, `content_filter`), translated for the other
   * families; a family's own word (`end_turn`, `MAX_TOKENS`) passes through. Default: `tool_calls`
   * when there are tool calls, else `stop`.
   */
  finishReason?: string;
  toolCalls?: ScriptedToolCall[];
}

/** The request a scripted reply answers, as the adapter needs it. */
export interface ScriptedRequest {
  /** The path after the upstream name, no query: `/v1/chat/completions`. */
  path: string;
  /** The raw query with its '?', or '' (Gemini asks for SSE with `?alt=sse`). */
  search: string;
  /** The request body parsed (undefined when it is not JSON). */
  body: unknown;
  /** The reply's position in the sequence (0-based), for ids that differ from reply to reply. */
  n: number;
}

export interface TokenSplit {
  prompt: number;
  completion: number;
  total: number;
}

/**
 * The usage a scripted reply reports. Given counts win; `tokens` alone splits as ModelMesh does;
 * nothing given is zero.
 */
export function tokenSplit(r: ScriptedResponse): TokenSplit {
  const total = r.tokens;
  let prompt = r.promptTokens;
  let completion = r.completionTokens;
  if (total !== undefined) {
    if (prompt === undefined && completion === undefined) prompt = Math.floor(total / 3);
    if (prompt === undefined) prompt = Math.max(0, total - (completion ?? 0));
    if (completion === undefined) completion = Math.max(0, total - prompt);
  }
  prompt ??= 0;
  completion ??= 0;
  return { prompt, completion, total: total ?? prompt + completion };
}
