/**
 * The text of a call that a body search looks in: what a person would search for (prompt text,
 * tool names and arguments, reply text, each stream event's delta) through the family's adapter,
 * and every string value of the recorded bodies as the fallback, so a field no adapter reads (a
 * custom upstream's JSON, a bodyText) is still found. Lowercased once, for a case-insensitive match.
 */
import { adapterOf, routeOfCall } from './adapters/registry.js';
import type { Call } from './schema.js';

/** String values of parsed JSON, depth-first; keys are left out (every call has `content`, `role`). */
function stringsOf(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value as unknown[]) stringsOf(v, out);
  else if (value !== null && typeof value === 'object')
    for (const v of Object.values(value as Record<string, unknown>)) stringsOf(v, out);
}

/** An adapter meets every file the schema lets through; a shape it did not expect costs only its view. */
function attempt<T>(view: () => T): T | null {
  try {
    return view();
  } catch {
    return null;
  }
}

export function searchTextOf(call: Call): string {
  const out: string[] = [];
  const adapter = adapterOf(routeOfCall(call).family);
  const { request, response } = call;

  for (const message of attempt(() => adapter.prompt(request.body)) ?? [])
    for (const block of message.blocks) {
      if (block.label) out.push(block.label);
      out.push(block.text);
    }
  // Joined: a word split across two stream deltas is found only in the whole reply.
  const reply = attempt(() => adapter.replyText(response));
  if (reply) out.push(reply);

  stringsOf(request.body, out);
  if (request.bodyText !== undefined) out.push(request.bodyText);
  stringsOf(response.body, out);
  if (response.bodyText !== undefined) out.push(response.bodyText);
  for (const event of response.stream ?? []) {
    const delta = attempt(() => adapter.deltaText(event));
    if (delta) out.push(delta);
    if (event.data === undefined) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(event.data);
    } catch {
      out.push(event.data);
      continue;
    }
    stringsOf(parsed, out);
  }
  // Line breaks keep the values apart: a one-line query never matches across two of them.
  return out.join('\n').toLowerCase();
}
