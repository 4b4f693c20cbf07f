/**
 * The editor of one part of the open file (signature, tool payloads, faults, or the whole file),
 * validated as you type against the published JSON Schemas, with a problems list under it.
 * Loaded on demand: Monaco is the largest part of the app and the table does not need it.
 */
import { use, useEffect } from 'react';
import { api } from '../api.js';
import { usePrefersDark } from '../hooks/useColorScheme.js';
import { partsOf, type PartId } from '../state/doc-parts.js';
import {
  editPart,
  partText,
  saveDocument,
  useDocument,
  onDocumentClosed,
} from '../state/document-store.js';
import { revealProblem, useUi } from '../state/ui-store.js';
import { useProblems } from './markers.js';
import { MonacoEditor } from './MonacoEditor.js';
import { applyTheme, configureSchemas, disposeModelsOf, partUri } from './monaco.js';

const schemasLoaded = api.schemas().then(
  (schemas) => {
    configureSchemas(schemas);
    return null;
  },
  (err: unknown) => `JSON Schemas not loaded, so only syntax is checked: ${String(err)}`,
);
onDocumentClosed(disposeModelsOf);

const PART_LABEL: Record<PartId, string> = {
  signature: 'Signature',
  tools: 'Tool calls',
  faults: 'Faults',
  file: 'File',
};

function ProblemsList({ path }: { path: string }) {
  const doc = useDocument((s) => s.doc);
  const kind = doc?.kind ?? 'call';
  const parts = partsOf(kind);
  const problems = useProblems(path, kind, parts);
  const saveErrors = doc?.path === path ? doc.saveErrors : null;
  const count = problems.length + (saveErrors?.length ?? 0);
  return (
    <div className="problems" role="region" aria-label="problems">
      <div className="problems-head">
        {count === 0 ? 'No problems' : `${count} problem${count === 1 ? '' : 's'}`}
      </div>
      <ul>
        {saveErrors?.map((e, i) => (
          <li key={`save-${i}`} className="problem error">
            <button
              type="button"
              onClick={() => e.line !== undefined && revealProblem(path, 'file', e.line)}
            >
              <span className="problem-where">
                not saved{e.line !== undefined ? ` · File line ${e.line}` : ''}
              </span>{' '}
              {e.reason}
            </button>
          </li>
        ))}
        {problems.map((p, i) => (
          <li key={i} className={`problem ${p.severity}`}>
            <button type="button" onClick={() => revealProblem(path, p.part, p.line, p.column)}>
              <span className="problem-where">
                {PART_LABEL[p.part]} {p.line}:{p.column}
              </span>{' '}
              {p.message}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

export default function PartEditor({ part }: { part: PartId }) {
  const doc = useDocument((s) => s.doc);
  // A place asked for in another file (or part) is not this editor's to show.
  const reveal = useUi((s) =>
    s.reveal?.part === part && s.reveal.path === doc?.path ? s.reveal : null,
  );
  const schemaError = use(schemasLoaded);
  const dark = usePrefersDark();
  useEffect(() => applyTheme(dark), [dark]);
  if (!doc || doc.status !== 'ready') return null;
  const { text, error } = partText(doc, part);
  return (
    <div className="part-editor">
      {schemaError !== null && <div className="notice notice-warn">{schemaError}</div>}
      {error !== null ? (
        <div className="notice notice-warn">{error}</div>
      ) : (
        <MonacoEditor
          uri={partUri(doc.kind, part, doc.path)}
          value={text}
          onChange={(t) => editPart(doc.path, part, t)}
          onSave={() => void saveDocument()}
          reveal={reveal}
          ariaLabel={`${PART_LABEL[part]} of ${doc.path}`}
        />
      )}
      <ProblemsList path={doc.path} />
    </div>
  );
}
