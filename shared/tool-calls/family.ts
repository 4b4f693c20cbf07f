/** Which tool-call reader a recorded call needs. */
import { bedrockToolCalls } from '../adapters/bedrock-converse/tool-calls.js';
import { cohereToolCalls } from '../adapters/cohere-chat/tool-calls.js';
import { detectApi } from '../providers/detect.js';
import type { RecordedRequest } from '../schema.js';
import { anthropic } from './anthropic.js';
import { gemini } from './gemini.js';
import { openaiChat } from './openai-chat.js';
import { openaiResponses } from './openai-responses.js';
import type { ToolCallAdapter } from './reply.js';

export type ToolCallFamily =
  | 'openai-chat'
  | 'openai-responses'
  | 'anthropic-messages'
  | 'gemini'
  | 'bedrock-converse'
  | 'cohere-chat';

const ADAPTERS: Readonly<Record<ToolCallFamily, ToolCallAdapter>> = {
  'openai-chat': openaiChat,
  'openai-responses': openaiResponses,
  'anthropic-messages': anthropic,
  gemini,
  'bedrock-converse': bedrockToolCalls,
  'cohere-chat': cohereToolCalls,
};

// The `api` names the recorder writes (see detectApi), for calls whose URL says nothing.
const BY_API: Readonly<Record<string, ToolCallFamily>> = {
  'chat.completions': 'openai-chat',
  responses: 'openai-responses',
  'responses.compact': 'openai-responses',
  messages: 'anthropic-messages',
  generateContent: 'gemini',
  streamGenerateContent: 'gemini',
  converse: 'bedrock-converse',
  'converse-stream': 'bedrock-converse',
};

function known(family: string): family is ToolCallFamily {
  return Object.hasOwn(ADAPTERS, family);
}

/** `https://host/v1/x?q` → `/v1/x?q`; a bare path stays as it is. */
function pathOfUrl(url: string): string {
  return url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '');
}

/**
 * The family from `path` when given, else from the path of the recorded URL, else from the call's
 * `api` name; null for anything that has no tool calls (embeddings, plain HTTP).
 */
export function toolCallFamily(
  call: { request: Pick<RecordedRequest, 'url'>; api: string },
  path?: string,
): ToolCallFamily | null {
  const family = detectApi(path ?? pathOfUrl(call.request.url)).family;
  if (known(family)) return family;
  return Object.hasOwn(BY_API, call.api) ? (BY_API[call.api] ?? null) : null;
}

export function adapterOf(family: ToolCallFamily): ToolCallAdapter {
  return ADAPTERS[family];
}
