/** What an embeddings request embeds: each input (text, or token ids) as one block. */
import { isObject } from '../../providers/json.js';
import type { Message } from '../adapter.js';
import { otherBlock, textBlock } from '../blocks.js';

export function embeddingsPrompt(body: unknown): Message[] | null {
  const input = isObject(body) ? body['input'] : undefined;
  if (input === undefined) return null;
  // A list of numbers is one tokenized input; a list of strings or lists is several inputs.
  const inputs =
    Array.isArray(input) && !input.every((x) => typeof x === 'number') ? input : [input];
  const blocks = inputs.map((x) => (typeof x === 'string' ? textBlock(x) : otherBlock(x)));
  return [{ role: 'user', blocks }];
}
