/** Small read-only views the call overview is made of: headers, bodies, sections. */
import { useState, type ReactNode } from 'react';
import { REDACTED } from '../../../shared/redact.js';

export function Section(props: { title: string; children: ReactNode; open?: boolean }) {
  return (
    <details className="section" open={props.open ?? true}>
      <summary>{props.title}</summary>
      <div className="section-body">{props.children}</div>
    </details>
  );
}

export function HeadersTable({ headers }: { headers: Record<string, string> }) {
  const names = Object.keys(headers).sort();
  if (names.length === 0) return <p className="muted">No headers recorded.</p>;
  return (
    <table className="kv">
      <tbody>
        {names.map((name) => {
          const value = headers[name] ?? '';
          return (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td>
                {value === REDACTED ? (
                  <span className="badge badge-redacted" title="removed before writing to disk">
                    redacted
                  </span>
                ) : (
                  value
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Past this size a body is shown collapsed: pretty-printing megabytes stalls the pane. */
const LARGE = 200_000;

export function JsonBlock({ value }: { value: unknown }) {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  const [expanded, setExpanded] = useState(text.length <= LARGE);
  if (!expanded) {
    return (
      <div>
        <pre className="code">{text.slice(0, 2000)}…</pre>
        <button type="button" onClick={() => setExpanded(true)}>
          Show all {Math.round(text.length / 1024)} KiB
        </button>
      </div>
    );
  }
  return <pre className="code">{text}</pre>;
}

export interface BodyLike {
  body?: unknown;
  bodyText?: string;
  bodyBase64?: string;
}

export function BodyView({ part }: { part: BodyLike }) {
  if (part.body !== undefined) return <JsonBlock value={part.body} />;
  if (part.bodyText !== undefined) return <JsonBlock value={part.bodyText} />;
  if (part.bodyBase64 !== undefined) {
    return (
      <p className="muted">
        Binary body, {Math.floor((part.bodyBase64.length * 3) / 4).toLocaleString('en-US')} bytes
        (stored as base64).
      </p>
    );
  }
  return <p className="muted">Empty body.</p>;
}
