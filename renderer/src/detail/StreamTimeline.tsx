/** A streamed reply as it arrived: each SSE event with its time since the request started. */
import { useState } from 'react';
import type { StreamEvent } from '../../../shared/schema.js';
import { formatMs } from '../lib/format.js';

const FIRST = 500;

function preview(data: string | undefined): string {
  if (data === undefined) return '';
  return data.length > 160 ? `${data.slice(0, 160)}…` : data;
}

function pretty(data: string): string {
  try {
    return JSON.stringify(JSON.parse(data), null, 2);
  } catch {
    return data;
  }
}

function EventRow({ ev, previous, text }: { ev: StreamEvent; previous: number; text: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <tr className="stream-event" onClick={() => setOpen(!open)}>
        <td className="num">{formatMs(ev.at)}</td>
        <td className="num muted">+{formatMs(ev.at - previous)}</td>
        <td>{ev.event ?? (ev.comment !== undefined ? ':comment' : 'message')}</td>
        <td className="mono">{preview(text)}</td>
        <td className="mono">{preview(ev.data ?? ev.comment)}</td>
      </tr>
      {open && ev.data !== undefined && (
        <tr>
          <td colSpan={5}>
            <pre className="code">{pretty(ev.data)}</pre>
          </td>
        </tr>
      )}
    </>
  );
}

export function StreamTimeline({
  events,
  deltaText,
}: {
  events: readonly StreamEvent[];
  /** The reply text an event adds (from the call's adapter); '' for events that add none. */
  deltaText: (event: StreamEvent) => string;
}) {
  const [all, setAll] = useState(events.length <= FIRST);
  const shown = all ? events : events.slice(0, FIRST);
  return (
    <div>
      <p className="muted">
        {events.length} events over {formatMs(events.at(-1)?.at ?? 0)}; click an event for its data.
      </p>
      <table className="timeline">
        <thead>
          <tr>
            <th className="num">at</th>
            <th className="num">gap</th>
            <th>event</th>
            <th>text</th>
            <th>data</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((ev, i) => (
            <EventRow
              key={i}
              ev={ev}
              previous={i === 0 ? 0 : (events[i - 1]?.at ?? 0)}
              text={deltaText(ev)}
            />
          ))}
        </tbody>
      </table>
      {!all && (
        <button type="button" onClick={() => setAll(true)}>
          Show all {events.length} events
        </button>
      )}
    </div>
  );
}
