/**
 * The one contract every API family implements (issue #9): everything Tapedeck knows about a wire
 * format lives in that family's folder under `shared/adapters/`, and every other module asks the
 * adapter instead of re-deriving the family from a path. Adding a provider is one new folder plus
 * one line in `registry.ts`.
 */
import type { ErrorKind, ErrorOptions, ErrorReply } from '../providers/errors.js';
import type { Reading, TokenCounts } from '../providers/reading.js';
import type { RecordedResponse } from '../schema.js';
import type { ScriptedRequest, ScriptedResponse } from '../scripted-reply.js';
import type { ToolCallAdapter } from '../tool-calls/reply.js';

export type ApiFamily =
  | 'openai-chat'
  | 'openai-responses'
  | 'anthropic-messages'
  | 'gemini'
  | 'openai-embeddings'
  | 'bedrock-converse'
  | 'cohere-chat'
  | 'http';

/** Resolved once at record time and stored in the call file as `route`. */
export interface Route {
  family: ApiFamily;
  /** The operation within the family: `chat.completions`, `responses.retrieve`, `converse-stream`… */
  api: string;
  /** The path after the upstream name, without the query: `/v1/chat/completions`. */
  path: string;
}

/** One piece of a conversation as the UI shows it. */
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

/** How a streamed reply is framed on the wire. */
export type StreamFraming = 'sse' | 'aws-eventstream';

export interface ProviderAdapter {
  readonly family: ApiFamily;
  /** The api name when `path` (after the upstream name, no query) is this family's, else null. */
  detect(path: string): string | null;
  /** The provider a custom upstream speaking this family is reported as (`openai-compatible`…). */
  readonly compatibleProvider: string;
  /** The model the request names (body field or path segment), null when it names none. */
  requestModel(path: string, body: unknown): string | null;
  /** Model, usage, provider-reported cost and reply text of a recorded reply. */
  read(response: RecordedResponse): Reading;
  /** Tokens estimated from the request body and reply text, for replies without usage. */
  estimate(requestBody: unknown, replyText: string, model: string | null): TokenCounts;
  /** Tool-call read/write/break; null for families without tool calls (embeddings, plain HTTP). */
  readonly toolCalls: ToolCallAdapter | null;
  /** An error reply in this family's wire shape, with its rate-limit headers. */
  error(kind: ErrorKind, message: string, provider: string, opts?: ErrorOptions): ErrorReply;
  /** The field clients cannot do without, dropped or retyped by a `malformed` fault. */
  readonly requiredField: { readonly body: string; readonly event: string };
  /** The conversation in a request body, null when the body is not this family's shape. */
  prompt(body: unknown): Message[] | null;
  /** The reply text a person reads (streamed or not), null when the reply has none. */
  replyText(response: RecordedResponse): string | null;
  /** The text one stream event adds to the reply ('' for none), for the stream timeline. */
  deltaText(event: { event?: string; data?: string }): string;
  readonly streamFraming: StreamFraming;
  /**
   * A scripted reply (`createMockFetch({ responses })`) as this family's vendor sends it: a JSON
   * body, or the stream events when the request asks for a stream. Null for families that have
   * no chat reply to script (embeddings, plain HTTP…).
   */
  readonly scripted: ((reply: ScriptedResponse, req: ScriptedRequest) => RecordedResponse) | null;
}
