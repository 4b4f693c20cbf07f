/**
 * One attempt on one vendor, through the vendor's own SDK client (`openai`, as every vendor here
 * speaks the OpenAI chat API). The SDK's retries are off: retries are the router's decision, made
 * against its budget. The attempt number goes out as `x-stainless-retry-count`, the header the SDKs
 * themselves send, so the vendor side (Tapedeck's mock) counts the router's retries.
 */
import OpenAI from 'openai';
import type { ModelEntry } from './registry.js';

export type AttemptResult =
  | { kind: 'ok'; completion: OpenAI.ChatCompletion; ms: number }
  /** Transient: worth another vendor (or another try). */
  | {
      kind: 'timeout' | 'unavailable' | 'network';
      status: number | null;
      detail: string;
      ms: number;
    }
  /** A 2xx whose body is not the JSON it should be: a parser error, never retried. */
  | { kind: 'malformed'; status: number | null; detail: string; ms: number }
  /** The vendor refused the request itself (4xx but 408, 409, 429): another try gets the same answer. */
  | { kind: 'rejected'; status: number; detail: string; ms: number };

export class VendorClient {
  private readonly client: OpenAI;

  constructor(readonly entry: ModelEntry) {
    this.client = new OpenAI({
      baseURL: entry.baseURL,
      apiKey: process.env[`GATEWAY_KEY_${entry.vendor.toUpperCase()}`] ?? 'sk-gateway-example',
      maxRetries: 0,
    });
  }

  async call(
    body: Record<string, unknown>,
    o: { timeoutMs: number; attempt: number; requestId: string },
  ): Promise<AttemptResult> {
    const t0 = performance.now();
    const ms = () => Math.round(performance.now() - t0);
    // The SDK's `timeout` ends when the headers arrive; a vendor that stalls mid-body would hold
    // the attempt past its budget. The signal bounds the whole attempt, body included.
    const signal = AbortSignal.timeout(o.timeoutMs);
    try {
      const completion = await this.client.chat.completions.create(
        {
          ...body,
          model: this.entry.model,
          stream: false,
        } as OpenAI.ChatCompletionCreateParamsNonStreaming,
        {
          timeout: o.timeoutMs,
          signal,
          headers: { 'x-request-id': o.requestId, 'x-stainless-retry-count': String(o.attempt) },
        },
      );
      return { kind: 'ok', completion, ms: ms() };
    } catch (e) {
      if (e instanceof OpenAI.APIConnectionTimeoutError || signal.aborted)
        return {
          kind: 'timeout',
          status: null,
          detail: `timeout after ${o.timeoutMs} ms`,
          ms: ms(),
        };
      if (e instanceof OpenAI.APIError && typeof e.status === 'number') {
        const detail = `${e.status} ${e.message}`.slice(0, 200);
        // The statuses the SDKs themselves retry: 408 and 409 (a lock or a conflict) pass too.
        if (e.status === 408 || e.status === 409 || e.status === 429 || e.status >= 500)
          return { kind: 'unavailable', status: e.status, detail, ms: ms() };
        return { kind: 'rejected', status: e.status, detail, ms: ms() };
      }
      if (e instanceof SyntaxError)
        return {
          kind: 'malformed',
          status: null,
          detail: `reply is not JSON: ${e.message}`,
          ms: ms(),
        };
      const detail = e instanceof Error ? e.message : String(e);
      return { kind: 'network', status: null, detail: detail.slice(0, 200), ms: ms() };
    }
  }
}
