import type { StreamEvent } from '../shared/schema.js';

/** One recorded event in SSE wire form, terminated by its blank line. */
export function formatSseEvent(ev: StreamEvent): string {
  let out = '';
  if (ev.comment !== undefined) out += `: ${ev.comment}\n`;
  if (ev.event !== undefined) out += `event: ${ev.event}\n`;
  if (ev.id !== undefined) out += `id: ${ev.id}\n`;
  if (ev.retry !== undefined) out += `retry: ${ev.retry}\n`;
  if (ev.data !== undefined) for (const line of ev.data.split('\n')) out += `data: ${line}\n`;
  return out + '\n';
}
