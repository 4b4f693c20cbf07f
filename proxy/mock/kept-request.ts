/**
 * A request the mock keeps after answering it (a distinct miss), so that *record it* in the
 * desktop app can forward it once later. Held in memory only: its headers may carry the caller's
 * key, so it never reaches disk, a report or the live endpoints.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface KeptRequest {
  readonly method: string;
  /** The upstream name (`openai`, or one given with --upstream). */
  readonly upstream: string;
  /** The path after the upstream name, without the query. */
  readonly path: string;
  /** The query string including its `?`, or ''. */
  readonly search: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}
