/**
 * What answers an in-process request (`createMockFetch`): a snapshot served by the mock's own
 * pipeline, or a list of scripted replies. mock-fetch.ts turns a fetch call into `answer()`.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { LoadError } from '../shared/schema.js';
import type { Route } from '../shared/upstreams.js';
import type { FetchReply } from '../proxy/mock/fetch-reply.js';

/** An unmatched request, with the same explanation as the mock's 404 and `/__tapedeck/misses`. */
export interface MockMiss {
  upstream: string;
  method: string;
  path: string;
  /** The closest recorded call's id, null when the snapshot has none for this upstream. */
  closest: string | null;
  closestFile: string | null;
  /** How the request differs from the closest call, one line per difference. */
  diff: string[];
  /** Set when the request was refused rather than compared (too large, too deep). */
  reason?: string;
  /** The `x-tapedeck-test` id it came with, null without one. */
  test: string | null;
}

export interface Replier {
  /** The upstreams whose base URLs count as theirs (the built-in ones and `upstreams`). */
  readonly upstreams: Readonly<Record<string, string>>;
  /** Settles once the replier can answer; rejects when it never can (a missing snapshot). */
  readonly ready: Promise<void>;
  readonly loadErrors: readonly LoadError[];
  answer(
    route: Route,
    method: string,
    headers: IncomingHttpHeaders,
    raw: Buffer,
    reply: FetchReply,
  ): Promise<void>;
  /** The misses so far, oldest first; of one test when `test` is given. */
  misses(test?: string): MockMiss[];
  /** Starts over: every test, or only `test`. */
  reset(test?: string): void;
}
