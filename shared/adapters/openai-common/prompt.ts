/** Content parts both OpenAI request shapes (Chat Completions and Responses) use. */
import { isObject, stringAt, type JsonObject } from '../../providers/json.js';
import type { Block } from '../adapter.js';
import { otherBlock, textBlock } from '../blocks.js';

const TEXT_PARTS = new Set(['text', 'input_text', 'output_text']);
const MEDIA_PARTS = new Set(['image_url', 'input_image', 'input_audio', 'file']);

function summarizeMedia(part: JsonObject): string {
  const image = part['image_url'];
  const url = isObject(image) ? stringAt(image, 'url') : stringAt(part, 'image_url');
  const source = url ?? stringAt(part, 'url') ?? '';
  return source.startsWith('data:') ? `${source.slice(0, source.indexOf(',') + 1)}…` : source;
}

export function openaiPart(part: unknown): Block {
  if (!isObject(part)) return otherBlock(part);
  const type = stringAt(part, 'type') ?? 'part';
  if (TEXT_PARTS.has(type)) return textBlock(typeof part['text'] === 'string' ? part['text'] : '');
  if (MEDIA_PARTS.has(type)) return { kind: 'media', label: type, text: summarizeMedia(part) };
  return otherBlock(part, type);
}
