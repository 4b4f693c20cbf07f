/**
 * Which requests are a client's retries, for the per-upstream `retries` of `/__tapedeck/stats`:
 * those an SDK marks (`x-stainless-retry-count` > 0, the OpenAI and Anthropic SDKs), and, from
 * clients that do not number their attempts, those repeating the same upstream, path and body
 * within 30 s.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const RETRY_WINDOW_MS = 30_000;
/** Bodies remembered at most; a flood of distinct requests forgets the oldest first. */
const MAX_REMEMBERED = 10_000;

export class RetryDetector {
  /** Hash → when it was last seen; Map order is the order last seen, so expiry is from the front. */
  private seen = new Map<string, number>();

  /** Whether this request is a retry; remembers it either way, so each retry counts once. */
  check(
    upstream: string,
    path: string,
    headers: IncomingHttpHeaders,
    raw: Buffer,
    now: number,
  ): boolean {
    // A client that numbers its attempts (the OpenAI and Anthropic SDKs) is taken at its word: the
    // same body again from it is a new request (a load test replaying captures sends many).
    const mark = headers['x-stainless-retry-count'];
    if (mark !== undefined) return Number(mark) > 0;
    const hash = createHash('sha1')
      .update(`${upstream}\u0000${path}\u0000`)
      .update(raw)
      .digest('base64');
    this.expire(now);
    const last = this.seen.get(hash);
    this.seen.delete(hash);
    this.seen.set(hash, now);
    if (this.seen.size > MAX_REMEMBERED) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    return last !== undefined && now - last <= RETRY_WINDOW_MS;
  }

  reset(): void {
    this.seen.clear();
  }

  private expire(now: number): void {
    for (const [hash, at] of this.seen) {
      if (now - at <= RETRY_WINDOW_MS) break;
      this.seen.delete(hash);
    }
  }
}
