/**
 * The file chosen in the table (or tapedeck.json, or a scenario): an overview of a call, and
 * an editor per part. A file that did not load opens straight in the whole-file editor.
 */
import { lazy, Suspense, useMemo } from 'react';
import type { Call } from '../../../shared/schema.js';
import { partsOf, type PartId } from '../state/doc-parts.js';
import { useDocument, type Doc } from '../state/document-store.js';
import { useSnapshot } from '../state/snapshot-store.js';
import { recordedToolCalls } from '../state/tool-calls-part.js';
import { setTab, useUi, type Tab } from '../state/ui-store.js';
import { CallActions } from './CallActions.js';
import { CallOverview } from './CallOverview.js';
import { DocumentBar } from './DocumentBar.js';

const PartEditor = lazy(() => import('../editor/PartEditor.js'));

const TAB_LABEL: Record<Tab, string> = {
  overview: 'Overview',
  signature: 'Signature',
  tools: 'Tool calls',
  faults: 'Faults',
  file: 'File',
};

function parseCall(text: string): Call | null {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && 'request' in v && 'response' in v
      ? (v as Call)
      : null;
  } catch {
    return null;
  }
}

function tabsFor(doc: Doc, call: Call | null, broken: boolean): Tab[] {
  if (broken || (doc.kind === 'call' && !call)) return ['file'];
  const parts: PartId[] = partsOf(doc.kind).filter(
    (p) =>
      p !== 'tools' ||
      (call !== null && recordedToolCalls(call as unknown as Record<string, unknown>).length > 0),
  );
  return doc.kind === 'call' ? ['overview', ...parts] : parts;
}

export function DetailPane() {
  const doc = useDocument((s) => s.doc);
  const chosen = useUi((s) => s.tab);
  const broken = useSnapshot((s) => (doc ? s.errors.some((e) => e.file === doc.path) : false));
  const baseText = doc?.baseText ?? '';
  const call = useMemo(
    () => (doc?.kind === 'call' ? parseCall(baseText) : null),
    [doc?.kind, baseText],
  );

  if (!doc) {
    return (
      <aside className="detail empty" aria-label="detail">
        <p className="muted">
          Select a call to see its request, response, usage and cost, and to edit its signature,
          tool calls and faults. ↑/↓ move, Enter opens.
        </p>
      </aside>
    );
  }
  const tabs = tabsFor(doc, call, broken);
  const tab: Tab = tabs.includes(chosen) ? chosen : (tabs[0] ?? 'file');
  return (
    <aside className="detail" aria-label="detail">
      <DocumentBar doc={doc} />
      <div className="tabs" role="tablist">
        {tabs.map((t) => (
          <button
            key={t}
            type="button"
            role="tab"
            aria-selected={t === tab}
            className={t === tab ? 'tab active' : 'tab'}
            onClick={() => setTab(t)}
          >
            {TAB_LABEL[t]}
            {t !== 'overview' && doc.partErrors[t] !== undefined && (
              <span className="tab-error" title={doc.partErrors[t]}>
                {' '}
                ⚠
              </span>
            )}
          </button>
        ))}
      </div>
      <div className="tab-body" role="tabpanel">
        {doc.status === 'loading' && <p className="muted">Loading {doc.path}…</p>}
        {doc.status === 'failed' && (
          <div className="notice notice-error">
            Could not read {doc.path}: {doc.loadError}
          </div>
        )}
        {doc.status === 'ready' &&
          (tab === 'overview' ? (
            call && (
              <>
                <CallActions call={call} file={doc.path} />
                <CallOverview call={call} />
              </>
            )
          ) : (
            <Suspense fallback={<p className="muted">Loading the editor…</p>}>
              <PartEditor part={tab} />
            </Suspense>
          ))}
      </div>
    </aside>
  );
}
