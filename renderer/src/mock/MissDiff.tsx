/**
 * A miss side by side: on the left the closest call's signature as recorded, on the right the
 * request as the matcher compared it. Each difference the matcher found (`DiffItem`) is marked at
 * its place in the tree; two strings are compared word by word, so in a long prompt only the
 * changed words are marked.
 */
import { useEffect, useRef, type ReactNode } from 'react';
import type { DiffItem, MissGroup } from '../../../shared/mock-link.js';
import { bodyPath, queryPath, type Segment } from './diff-paths.js';
import { valueText, wordDiff } from './word-diff.js';

type Side = 'recorded' | 'request';

function Marked({ item, side, value }: { item: DiffItem; side: Side; value: unknown }) {
  if (
    item.kind === 'differs' &&
    typeof item.recorded === 'string' &&
    typeof item.request === 'string'
  ) {
    const parts = wordDiff(item.recorded, item.request)[side];
    return (
      <span className="diff-string" data-testid={`diff-${side}`} data-path={item.path}>
        &quot;
        {parts.map((p, i) =>
          p.changed ? (
            <mark
              key={i}
              className={side === 'recorded' ? 'diff-del' : 'diff-add'}
              data-testid={side === 'recorded' ? 'diff-removed' : 'diff-added'}
            >
              {p.text}
            </mark>
          ) : (
            <span key={i}>{p.text}</span>
          ),
        )}
        &quot;
      </span>
    );
  }
  return (
    <mark
      className={`diff-whole ${side === 'recorded' ? 'diff-del' : 'diff-add'}`}
      data-testid={side === 'recorded' ? 'diff-removed' : 'diff-added'}
      data-path={item.path}
      title={`${item.kind}: ${item.path}`}
    >
      {typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value, null, 2) ?? '')}
    </mark>
  );
}

interface TreeProps {
  value: unknown;
  segs: Segment[];
  pathOf: (segs: readonly Segment[]) => string;
  marks: ReadonlyMap<string, DiffItem>;
  side: Side;
}

function Tree({ value, segs, pathOf, marks, side }: TreeProps): ReactNode {
  const item = marks.get(pathOf(segs));
  if (item) return <Marked item={item} side={side} value={value} />;
  if (Array.isArray(value)) {
    if (value.length === 0) return <span>[]</span>;
    return (
      <span>
        [
        <div className="json-children">
          {value.map((v, i) => (
            <div key={i}>
              <Tree value={v} segs={[...segs, i]} pathOf={pathOf} marks={marks} side={side} />
              {i < value.length - 1 && ','}
            </div>
          ))}
        </div>
        ]
      </span>
    );
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) return <span>{'{}'}</span>;
    return (
      <span>
        {'{'}
        <div className="json-children">
          {entries.map(([k, v], i) => (
            <div key={k}>
              <span className="json-key">{JSON.stringify(k)}</span>:{' '}
              <Tree value={v} segs={[...segs, k]} pathOf={pathOf} marks={marks} side={side} />
              {i < entries.length - 1 && ','}
            </div>
          ))}
        </div>
        {'}'}
      </span>
    );
  }
  return <span className="json-leaf">{JSON.stringify(value) ?? String(value)}</span>;
}

function marksOf(items: readonly DiffItem[], part: DiffItem['part']): Map<string, DiffItem> {
  return new Map(items.filter((i) => i.part === part).map((i) => [i.path, i]));
}

function Line({
  label,
  value,
  item,
  side,
}: {
  label: string;
  value: unknown;
  item: DiffItem | undefined;
  side: Side;
}) {
  return (
    <div className="diff-line">
      <span className="json-key">{label}</span>:{' '}
      {item ? (
        <Marked item={item} side={side} value={value} />
      ) : (
        <span className="json-leaf">{value === undefined ? '(any)' : valueText(value)}</span>
      )}
    </div>
  );
}

function SideView({ side, miss }: { side: Side; miss: MissGroup }) {
  const sig = miss.signature;
  const rec = side === 'recorded';
  const part = (name: 'upstream' | 'method' | 'path') =>
    miss.items.find((i) => i.part === name && (rec ? i.kind !== 'extra' : i.kind !== 'missing'));
  const query = rec ? sig?.query : miss.query;
  const body = rec ? sig?.body : miss.body;
  const queryMarks = marksOf(
    miss.items.filter((i) => (rec ? i.kind !== 'extra' : i.kind !== 'missing')),
    'query',
  );
  const bodyMarks = marksOf(
    miss.items.filter((i) => (rec ? i.kind !== 'extra' : i.kind !== 'missing')),
    'body',
  );
  return (
    <div className={`diff-side diff-${side}`} data-testid={`miss-${side}`}>
      <h4>
        {rec
          ? miss.closest
            ? `Recorded: call #${miss.closest.seq}'s signature`
            : 'No call to compare with'
          : 'This request'}
      </h4>
      {(rec ? sig !== null : true) && (
        <div className="json-tree mono">
          <Line
            label="upstream"
            value={rec ? sig?.upstream : miss.upstream}
            item={part('upstream')}
            side={side}
          />
          <Line
            label="method"
            value={rec ? sig?.method : miss.method}
            item={part('method')}
            side={side}
          />
          <Line label="path" value={rec ? sig?.path : miss.path} item={part('path')} side={side} />
          {query !== undefined && query !== null && (
            <div className="diff-line">
              <span className="json-key">query</span>:{' '}
              <Tree value={query} segs={[]} pathOf={queryPath} marks={queryMarks} side={side} />
            </div>
          )}
          {rec && sig?.ignore && sig.ignore.length > 0 && (
            <Line label="ignore" value={sig.ignore.join(', ')} item={undefined} side={side} />
          )}
          {body !== undefined && body !== null && (
            <div className="diff-line">
              <span className="json-key">body</span>:{' '}
              <Tree value={body} segs={[]} pathOf={bodyPath} marks={bodyMarks} side={side} />
            </div>
          )}
        </div>
      )}
    </div>
  );
}

export function MissDiff({ miss }: { miss: MissGroup }) {
  const ref = useRef<HTMLDivElement>(null);
  // A long body puts the difference far down: bring the first marked place into view.
  useEffect(() => {
    ref.current?.querySelector('mark')?.scrollIntoView({ block: 'nearest' });
  }, [miss.key]);
  return (
    <div className="miss-diff" data-testid="miss-diff" ref={ref}>
      <SideView side="recorded" miss={miss} />
      <SideView side="request" miss={miss} />
    </div>
  );
}

/** The matcher's own words: what it compared and why that failed. */
export function WhyItFailed({ miss }: { miss: MissGroup }) {
  if (miss.reason)
    return (
      <div className="notice notice-warn" data-testid="miss-why">
        Not compared: {miss.reason}
      </div>
    );
  if (miss.diff.length === 0) return null;
  return (
    <div className="miss-why" data-testid="miss-why">
      <h4>Why it failed</h4>
      <ul className="mono">
        {miss.diff.map((line, i) => (
          <li key={i}>{line}</li>
        ))}
      </ul>
    </div>
  );
}
