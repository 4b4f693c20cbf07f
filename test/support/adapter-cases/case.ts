/**
 * One row of the adapter contract table (test/adapter-contract.test.ts): a real-shaped request
 * and reply of one API family, and what its adapter must read out of them. Each family adds its
 * rows in its own file beside this one, so a new adapter brings its cases with it.
 */
import type { ApiFamily } from '../../../shared/adapters/adapter.js';
import type { TokenCounts } from '../../../shared/providers/reading.js';
import type { RecordedResponse } from '../../../shared/schema.js';

export interface AdapterCase {
  /** Shown in the test name. */
  name: string;
  family: ApiFamily;
  /** Path after the upstream name, no query; `detect(path)` must give `api`. */
  path: string;
  api: string;
  /** A request body: `requestModel` gives `model`, `estimate` > 0 input tokens, `prompt` non-null. */
  request: unknown;
  model: string | null;
  /** A successful reply (JSON body or stream) that carries usage. */
  response: RecordedResponse;
  /** What `read(response).usage` must be. */
  usage: TokenCounts;
  /** What `replyText(response)` must be. */
  replyText: string | null;
  /** The tool calls `toolCalls.read(response)` finds: names and parsed arguments, in order. */
  toolCalls: { name: string; arguments: unknown }[];
}
