/** Every family's contract rows; a new adapter adds its file here. */
import type { AdapterCase } from './case.js';
import { cases as anthropicMessages } from './anthropic-messages.js';
import { cases as bedrockConverse } from './bedrock-converse.js';
import { cases as cohereChat } from './cohere-chat.js';
import { cases as gemini } from './gemini.js';
import { cases as openaiChat } from './openai-chat.js';
import { cases as openaiEmbeddings } from './openai-embeddings.js';
import { cases as openaiResponses } from './openai-responses.js';

export const ALL_CASES: readonly AdapterCase[] = [
  ...openaiChat,
  ...openaiResponses,
  ...anthropicMessages,
  ...gemini,
  ...openaiEmbeddings,
  ...bedrockConverse,
  ...cohereChat,
];
