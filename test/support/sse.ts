/** SSE text to events, with the same parser a careful client would use. */
import { createParser } from 'eventsource-parser';

export interface ParsedEvent {
  event?: string;
  data: string;
  id?: string;
}

export function parseSse(text: string): ParsedEvent[] {
  const events: ParsedEvent[] = [];
  const parser = createParser({
    onEvent: (e) => {
      const out: ParsedEvent = { data: e.data };
      if (e.event !== undefined) out.event = e.event;
      if (e.id !== undefined) out.id = e.id;
      events.push(out);
    },
  });
  parser.feed(text);
  // A stream may end without the final blank line; flush whatever event is pending.
  parser.feed('\n\n');
  return events;
}
