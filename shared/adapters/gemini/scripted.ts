/**
 * A scripted reply as Gemini sends it: a `GenerateContentResponse` from `:generateContent`; from
 * `:streamGenerateContent` a list of them, as SSE `data:` events with `?alt=sse` (what
 * `@google/genai` asks for) and as one JSON array without it. The last chunk carries the finish
 * reason and the full usage; the earlier ones count the prompt only, as Gemini's do.
 */
import type { RecordedResponse } from '../../schema.js';
import {
  tokenSplit,
  type ScriptedRequest,
  type ScriptedResponse,
  type TokenSplit,
} from '../../scripted-reply.js';
import { requestModelOf } from '../request-model.js';
import {
  argumentsObject,
  finishOf,
  hasText,
  jsonReply,
  scriptedModel,
  sseReply,
  textPieces,
} from '../scripted-parts.js';

/** OpenAI's finish words in Gemini's; Gemini's own (`RECITATION`…) pass. */
const FINISH_REASON: Readonly<Record<string, string>> = {
  stop: 'STOP',
  length: 'MAX_TOKENS',
  tool_calls: 'STOP',
  function_call: 'STOP',
  content_filter: 'SAFETY',
};

export function finishReasonOf(reply: ScriptedResponse): string {
  const finish = finishOf(reply);
  return FINISH_REASON[finish] ?? finish;
}

type Part = Record<string, unknown>;

function functionCallParts(reply: ScriptedResponse): Part[] {
  return (reply.toolCalls ?? []).map((t) => ({
    // Gemini's API names no call ids of its own; one is sent only when the script gives it.
    functionCall: {
      ...(t.id !== undefined ? { id: t.id } : {}),
      name: t.name,
      args: argumentsObject(t.arguments, t.name),
    },
  }));
}

function usageOf(u: TokenSplit, final: boolean): Record<string, unknown> {
  const promptDetails = [{ modality: 'TEXT', tokenCount: u.prompt }];
  if (!final)
    return {
      promptTokenCount: u.prompt,
      totalTokenCount: u.prompt,
      promptTokensDetails: promptDetails,
    };
  return {
    promptTokenCount: u.prompt,
    candidatesTokenCount: u.completion,
    totalTokenCount: u.total,
    promptTokensDetails: promptDetails,
  };
}

export function scriptedGemini(reply: ScriptedResponse, req: ScriptedRequest): RecordedResponse {
  const modelVersion = scriptedModel(reply, req, requestModelOf);
  const responseId = `tapedeck-${req.n}`;
  const usage = tokenSplit(reply);
  const finishReason = finishReasonOf(reply);
  const text = hasText(reply) ? (reply.content ?? '') : null;
  const calls = functionCallParts(reply);

  const chunk = (parts: Part[], final: boolean) => ({
    candidates: [
      {
        content: { parts, role: 'model' },
        ...(final ? { finishReason } : {}),
        index: 0,
      },
    ],
    usageMetadata: usageOf(usage, final),
    modelVersion,
    responseId,
  });

  if (!/:streamGenerateContent$/.test(req.path))
    return jsonReply(chunk([...(text === null ? [] : [{ text }]), ...calls], true));

  // Each piece of text is a chunk; the function calls arrive whole, together, in the last.
  const perChunk: Part[][] = [];
  if (text !== null)
    for (const piece of text === '' ? [''] : textPieces(text)) perChunk.push([{ text: piece }]);
  if (calls.length > 0) perChunk.push(calls);
  const chunks = perChunk.map((parts, i) => chunk(parts, i === perChunk.length - 1));
  if (new URLSearchParams(req.search).get('alt') === 'sse')
    return sseReply(chunks.map((data) => ({ data })));
  return jsonReply(chunks);
}
