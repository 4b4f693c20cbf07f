/**
 * Usage that one request reports for another counts once. An OpenAI background response
 * (`POST /v1/responses` with `background: true`) answers `queued` without usage; the usage comes
 * with a later `GET /v1/responses/{id}`, and a client may poll or resume (`?stream=true`) the same
 * id many times, each reply carrying the same usage again. A stored response fetched again repeats
 * the usage its POST already reported. So per response id, one call counts: the first in seq order
 * whose reply carries the provider's usage, else the first with an estimate; every other call of
 * that id counts 0 and names the one that counted (`usageCountedIn`). `inspect`, the host's rows
 * and the UI all apply this one function, after every change of the rows.
 */
import { isObject, objectAt, parseData, stringAt } from './providers/json.js';
import { replyBody } from './providers/reading.js';
import type { Call } from './schema.js';
import type { CallSummary } from './totals.js';

/** Calls that create or fetch a Response object (see shared/adapters/openai-responses/detect.ts). */
const RESPONSE_APIS = new Set(['responses', 'responses.retrieve']);

/** `https://host/v1/responses/resp_1?stream=true` → `resp_1`. */
function idInPath(url: string): string | null {
  const m = /\/responses\/([^/?#]+)(?:[?#]|$)/.exec(url);
  if (!m?.[1]) return null;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}

/** The id of the Response a call created or fetched; null for every other kind of call. */
export function responseIdOf(call: Pick<Call, 'api' | 'request' | 'response'>): string | null {
  if (!RESPONSE_APIS.has(call.api) || call.response.status >= 400) return null;
  const { stream } = call.response;
  if (stream) {
    // Every lifecycle event wraps the Response; the first that parses names it.
    for (const e of stream) {
      const id = stringAt(objectAt(parseData(e.data), 'response'), 'id');
      if (id !== undefined) return id;
    }
  } else {
    const body = replyBody(call.response);
    const isResponse =
      isObject(body) && (stringAt(body, 'object') === 'response' || Array.isArray(body['output']));
    const id = isResponse ? stringAt(body, 'id') : undefined;
    if (id !== undefined) return id;
  }
  return call.api === 'responses.retrieve' ? idInPath(call.request.url) : null;
}

function bySeq(a: CallSummary, b: CallSummary): number {
  return a.seq - b.seq || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0);
}

/** Rows with `usageCountedIn` set as the rule above says; the same array when nothing changes. */
export function countUsageOnce(rows: readonly CallSummary[]): readonly CallSummary[] {
  const groups = new Map<string, CallSummary[]>();
  for (const row of rows) {
    if (row.responseId === null) continue;
    const key = `${row.upstream}\u0000${row.responseId}`;
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  const countedIn = new Map<CallSummary, string>();
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    group.sort(bySeq);
    const counter =
      group.find((r) => r.usageSource === 'provider') ??
      group.find((r) => r.usageSource === 'estimated');
    if (!counter) continue;
    for (const r of group) if (r !== counter) countedIn.set(r, counter.id);
  }
  let out: CallSummary[] | null = null;
  rows.forEach((row, i) => {
    const want = row.responseId === null ? null : (countedIn.get(row) ?? null);
    if (row.usageCountedIn !== want) (out ??= rows.slice())[i] = { ...row, usageCountedIn: want };
  });
  return out ?? rows;
}
