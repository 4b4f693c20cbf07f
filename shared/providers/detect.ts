/**
 * Which wire family a request speaks, from the shape of its path alone: the same family is served
 * under many hosts and prefixes (OpenRouter's `/api/v1`, Gemini's OpenAI-compatible `/v1beta/openai`,
 * Vertex's `/projects/…/publishers/google/models/…`, Azure's `/openai/v1`).
 */

import {
  bedrockModelFromPath,
  detectBedrockConverse,
} from '../adapters/bedrock-converse/detect.js';
import { detectCohereChat } from '../adapters/cohere-chat/detect.js';
import type { ApiFamily } from '../adapters/adapter.js';

export type { ApiFamily };

export interface ApiInfo {
  family: ApiFamily;
  api: string;
}

interface Rule {
  pattern: RegExp;
  info: ApiInfo;
}

// Order matters: the more specific shapes (count-token and retrieval endpoints) come before the
// family suffixes they share a prefix with.
const RULES: readonly Rule[] = [
  { pattern: /\/chat\/completions$/, info: { family: 'openai-chat', api: 'chat.completions' } },
  { pattern: /\/responses$/, info: { family: 'openai-responses', api: 'responses' } },
  // Compaction is a billed model pass that answers with a Responses-style usage object.
  {
    pattern: /\/responses\/compact$/,
    info: { family: 'openai-responses', api: 'responses.compact' },
  },
  {
    pattern: /\/responses\/input_tokens$/,
    info: { family: 'http', api: 'responses.input_tokens' },
  },
  // Reading a stored response again must not count its tokens a second time.
  { pattern: /\/responses\/[^/]+$/, info: { family: 'http', api: 'responses.retrieve' } },
  {
    pattern: /\/v\d+[a-z0-9]*\/messages$/,
    info: { family: 'anthropic-messages', api: 'messages' },
  },
  {
    pattern: /\/v\d+[a-z0-9]*\/messages\/count_tokens$/,
    info: { family: 'http', api: 'messages.count_tokens' },
  },
  { pattern: /\/embeddings$/, info: { family: 'openai-embeddings', api: 'embeddings' } },
  { pattern: /:generateContent$/, info: { family: 'gemini', api: 'generateContent' } },
  { pattern: /:streamGenerateContent$/, info: { family: 'gemini', api: 'streamGenerateContent' } },
  { pattern: /:countTokens$/, info: { family: 'http', api: 'countTokens' } },
];

export function detectApi(path: string): ApiInfo {
  const q = path.indexOf('?');
  const bare = (q < 0 ? path : path.slice(0, q)).replace(/\/+$/, '');
  for (const rule of RULES) {
    if (rule.pattern.test(bare)) return { ...rule.info };
  }
  // The families that already live in their own adapter folder answer for themselves.
  const converse = detectBedrockConverse(bare);
  if (converse) return { family: 'bedrock-converse', api: converse };
  const cohere = detectCohereChat(bare);
  if (cohere) return { family: 'cohere-chat', api: cohere };
  return { family: 'http', api: 'http' };
}

const BUILTIN_PROVIDERS = new Set([
  'openai',
  'anthropic',
  'gemini',
  'xai',
  'openrouter',
  'bedrock',
  'cohere',
]);

export function providerOf(upstream: string, family: ApiFamily): string {
  if (BUILTIN_PROVIDERS.has(upstream)) return upstream;
  switch (family) {
    case 'openai-chat':
    case 'openai-responses':
    case 'openai-embeddings':
      return 'openai-compatible';
    case 'anthropic-messages':
      return 'anthropic';
    case 'gemini':
      return 'gemini';
    case 'bedrock-converse':
      return 'bedrock';
    case 'cohere-chat':
      return 'cohere';
    case 'http':
      return 'http';
  }
}

/**
 * The model a path names: Gemini `/v1beta/models/gemini-2.0-flash:generateContent` →
 * `gemini-2.0-flash`, Bedrock `/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse` →
 * `anthropic.claude-3-haiku-20240307-v1:0`.
 */
export function modelFromPath(path: string): string | null {
  const q = path.indexOf('?');
  const bedrock = bedrockModelFromPath(q < 0 ? path : path.slice(0, q));
  if (bedrock) return bedrock;
  const m = /\/(?:models|tunedModels)\/([^/:?]+)(?::[A-Za-z]+)?(?:\?|$)/.exec(path);
  if (!m?.[1]) return null;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}
