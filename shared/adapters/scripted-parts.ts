/**
 * What every family's `scripted` renderer shares (issue #11): the reply's model, finish reason,
 * tool arguments in the two spellings the wires use, the pieces a streamed text is cut into, and
 * the RecordedResponse shells a JSON body or an SSE stream go out in.
 */
import { isObject } from '../providers/json.js';
import type { RecordedResponse, StreamEvent } from '../schema.js';
import type { ScriptedRequest, ScriptedResponse } from '../scripted-reply.js';

/** The name a reply without one answers to, when the request names no model either. */
export const FALLBACK_MODEL = 'tapedeck-mock';

/** The reply's model, else the request's, else {@link FALLBACK_MODEL}. */
export function scriptedModel(
  reply: ScriptedResponse,
  req: ScriptedRequest,
  requestModel: (path: string, body: unknown) => string | null,
): string {
  return reply.model ?? requestModel(req.path, req.body) ?? FALLBACK_MODEL;
}

/** The finish reason in OpenAI's words (or the family's own, passed through as given). */
export function finishOf(reply: ScriptedResponse): string {
  return reply.finishReason ?? ((reply.toolCalls?.length ?? 0) > 0 ? 'tool_calls' : 'stop');
}

/**
 * Whether the reply has a text part: when it says something, or says nothing at all (an empty
 * answer is an empty text, not a missing one); a reply of tool calls alone has none.
 */
export function hasText(reply: ScriptedResponse): boolean {
  return (reply.content ?? '') !== '' || (reply.toolCalls?.length ?? 0) === 0;
}

/** The request asks for a stream the OpenAI and Anthropic way: `"stream": true` in the body. */
export function bodyWantsStream(body: unknown): boolean {
  return isObject(body) && body['stream'] === true;
}

/** Tool arguments as JSON text (OpenAI's spelling): text as given, anything else serialized. */
export function argumentsText(args: unknown): string {
  if (args === undefined) return '{}';
  if (typeof args === 'string') return args;
  return JSON.stringify(args) ?? '{}';
}

/**
 * Tool arguments as an object (Anthropic's `input`, Gemini's `args`). JSON text is parsed; text
 * that is not a JSON object cannot be said on these wires, so it is refused with the tool's name
 * rather than sent as something the test did not script.
 */
export function argumentsObject(args: unknown, toolName: string): Record<string, unknown> {
  if (args === undefined || args === '') return {};
  let value: unknown = args;
  if (typeof args === 'string') {
    try {
      value = JSON.parse(args) as unknown;
    } catch {
      throw new Error(
        `scripted tool call "${toolName}": arguments are not JSON (${JSON.stringify(args)})`,
      );
    }
  }
  if (!isObject(value))
    throw new Error(
      `scripted tool call "${toolName}": this API wants arguments that are a JSON object, got ${JSON.stringify(value)}`,
    );
  return value;
}

/**
 * A text cut at word boundaries into at most `most` pieces that join back to it, so a stream
 * sends several deltas as vendors do; no pieces for an empty text.
 */
export function textPieces(text: string, most = 3): string[] {
  const words = text.match(/\S+\s*|\s+/g) ?? [];
  const size = Math.ceil(words.length / most);
  const out: string[] = [];
  for (let i = 0; i < words.length; i += size) out.push(words.slice(i, i + size).join(''));
  return out;
}

/**
 * Argument text in two pieces, cut between code points, so clients must join fragments the way
 * they do with a real stream (a fragment is rarely valid JSON on its own).
 */
export function argumentPieces(text: string): string[] {
  const chars = Array.from(text);
  if (chars.length < 2) return [text];
  const half = Math.ceil(chars.length / 2);
  return [chars.slice(0, half).join(''), chars.slice(half).join('')];
}

/** Seconds since the epoch, as `created` fields count. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export function jsonReply(body: unknown, headers: Record<string, string> = {}): RecordedResponse {
  return { status: 200, headers: { 'content-type': 'application/json', ...headers }, body };
}

/** One SSE event to be sent: `data` is serialized unless it is text already (`[DONE]`). */
export interface OutEvent {
  event?: string;
  data: unknown;
}

/** The events of an SSE reply, all at 0 ms: a scripted reply has no recorded timing to keep. */
export function sseReply(
  events: readonly OutEvent[],
  headers: Record<string, string> = {},
): RecordedResponse {
  const stream: StreamEvent[] = events.map((e) => {
    const out: StreamEvent = {
      at: 0,
      data: typeof e.data === 'string' ? e.data : JSON.stringify(e.data),
    };
    if (e.event !== undefined) out.event = e.event;
    return out;
  });
  return { status: 200, headers: { 'content-type': 'text/event-stream', ...headers }, stream };
}
