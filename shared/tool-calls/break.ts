/**
 * `malformed` faults on tool calls: the reply keeps the provider's format but the calls in it are
 * wrong the way models get them wrong. Pure: the input call is never changed.
 */
import { isObject } from '../providers/json.js';
import type { Call } from '../schema.js';
import { adapterOf, routeOfCall } from '../adapters/registry.js';
import type { FoundCall } from './reply.js';

export type BreakMode = 'toolName' | 'toolArgs' | 'textThenHalfTool';

const VOWEL = /^[aeiou]$/i;
const LETTER = /^\p{L}$/u;

function isLetter(c: string | undefined): boolean {
  return c !== undefined && LETTER.test(c);
}

/**
 * A typo of the kind a model makes: one inner letter dropped (`web_search` → `web_serch`). The
 * dropped letter is the last vowel between two letters, else the inner letter nearest the middle;
 * names too short to have an inner letter get their last character doubled.
 */
export function misspell(name: string): string {
  const chars = [...name];
  let pick = -1;
  for (let i = chars.length - 2; i >= 1 && pick < 0; i--) {
    const c = chars[i] ?? '';
    if (VOWEL.test(c) && isLetter(chars[i - 1]) && isLetter(chars[i + 1])) pick = i;
  }
  if (pick < 0) {
    const middle = (chars.length - 1) / 2;
    for (let i = 1; i < chars.length - 1; i++) {
      if (isLetter(chars[i]) && (pick < 0 || Math.abs(i - middle) < Math.abs(pick - middle)))
        pick = i;
    }
  }
  if (pick < 0) return name === '' ? 'tool' : name + (chars.at(-1) ?? '');
  return chars.filter((_, i) => i !== pick).join('');
}

/** A value of another JSON type that a careless model might send instead of `v`. */
function retyped(v: unknown): unknown {
  if (typeof v === 'string') return [v];
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null) return [];
  // Objects and arrays sent as JSON text inside a string: a classic.
  return JSON.stringify(v);
}

/**
 * Valid JSON of the wrong shape: an object's first value changes type, an empty object becomes an
 * array, anything else (an array, a scalar, text that is not JSON) is wrapped in an array.
 */
export function reshape(call: Pick<FoundCall, 'text' | 'value'>): unknown {
  const v = call.value;
  if (isObject(v)) {
    const [first] = Object.keys(v);
    if (first === undefined) return [];
    return { ...v, [first]: retyped(v[first]) };
  }
  return [v === undefined ? call.text : v];
}

/**
 * The first half of a call written out the way models that emit tool calls as text do
 * (`{"name": …, "arguments": …}`), cut between characters rather than inside one.
 */
export function halfPayload(call: Pick<FoundCall, 'name' | 'text' | 'value'>): string {
  const payload = JSON.stringify({
    name: call.name,
    arguments: call.value === undefined ? call.text : call.value,
  });
  let cut = Math.ceil(payload.length / 2);
  const last = payload.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
  return payload.slice(0, cut);
}

/**
 * toolName: each tool name gets a realistic typo (see `misspell`); toolArgs: arguments keep valid
 * JSON but the wrong shape (see `reshape`); textThenHalfTool: the reply's text is followed by the
 * first half of the first tool call's JSON payload written as plain text, and the tool calls are
 * removed (the reply ends there, with the finish reason of a reply that simply stopped).
 * Returns null when the reply has no tool call (for every mode: there is nothing to break) — the
 * caller then reports that the fault could not apply.
 */
export function breakToolCalls(call: Call, mode: BreakMode): Call | null {
  const adapter = adapterOf(routeOfCall(call).family).toolCalls;
  if (!adapter) return null;
  const found = adapter.read(call.response);
  const [first] = found;
  if (!first) return null;
  switch (mode) {
    case 'toolName':
      return {
        ...call,
        response: adapter.write(
          call.response,
          found.map((f) => ({ name: misspell(f.name) })),
        ),
      };
    case 'toolArgs': {
      const edits = found.map((f) => {
        const value = reshape(f);
        return { args: adapter.argsAre === 'text' ? JSON.stringify(value) : value };
      });
      return { ...call, response: adapter.write(call.response, edits) };
    }
    case 'textThenHalfTool':
      return { ...call, response: adapter.halfEmit(call.response, halfPayload(first)) };
  }
}
