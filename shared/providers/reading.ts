/** What a family adapter reads out of one recorded reply. */
import type { RecordedResponse } from '../schema.js';
import { parseData } from './json.js';

export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
}

/** The usage one model ran up inside a call (the advisor tool runs a second model). */
export interface ModelPart {
  model: string;
  usage: TokenCounts;
}

export interface Reading {
  /** The model the reply names, if it names one. */
  model: string | null;
  /** Usage as the provider reported it; null when the reply carries none. */
  usage: TokenCounts | null;
  /**
   * Usage split by model when the reply ran more than one (the call's own model first); `usage`
   * is then their sum. Absent for a single model.
   */
  byModel?: ModelPart[];
  /** The provider's own charge for the call, in USD, when it reports one. */
  providerCostUsd: number | null;
  /** The reply's text (content, tool calls, reasoning), for estimating tokens when usage is missing. */
  replyText(): string;
}

export type Reader = (response: RecordedResponse) => Reading;

export interface ReplyChunk {
  event: string | undefined;
  json: unknown;
}

/**
 * The reply as a list of JSON documents: every parsable SSE data payload of a stream, or the one
 * body (a body that is a JSON array, as Gemini's non-SSE stream is, gives its elements).
 */
export function replyChunks(response: RecordedResponse): ReplyChunk[] {
  if (response.stream) {
    const out: ReplyChunk[] = [];
    for (const e of response.stream) {
      const json = parseData(e.data);
      if (json !== undefined) out.push({ event: e.event, json });
    }
    return out;
  }
  const body = replyBody(response);
  if (body === undefined) return [];
  if (Array.isArray(body)) return body.map((json: unknown) => ({ event: undefined, json }));
  return [{ event: undefined, json: body }];
}

/** The parsed JSON body; a JSON text stored as `bodyText` (e.g. a wrong content-type) is parsed too. */
export function replyBody(response: RecordedResponse): unknown {
  if (response.body !== undefined) return response.body;
  if (response.bodyText !== undefined) return parseData(response.bodyText);
  return undefined;
}

export function zeroCounts(): TokenCounts {
  return {
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
  };
}

export function addCounts(a: TokenCounts, b: TokenCounts): TokenCounts {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
    reasoningTokens: a.reasoningTokens + b.reasoningTokens,
  };
}

/** Joins the text pieces of a reply (or request) for token counting. */
export function joinText(parts: readonly string[]): string {
  return parts.filter((p) => p !== '').join('\n');
}
