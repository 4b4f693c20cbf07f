/** Monaco's validation markers as a React-readable source: one version number, bumped on change. */
import { useMemo, useSyncExternalStore } from 'react';
import type { FileKind, PartId } from '../state/doc-parts.js';
import { monaco, partUri } from './monaco.js';

let version = 0;
const listeners = new Set<() => void>();
monaco.editor.onDidChangeMarkers(() => {
  version++;
  for (const l of listeners) l();
});

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export interface Problem {
  part: PartId;
  line: number;
  column: number;
  message: string;
  severity: 'error' | 'warning';
}

/** Errors and warnings in every part editor of one file, in part then line order. */
export function useProblems(path: string, kind: FileKind, parts: readonly PartId[]): Problem[] {
  const v = useSyncExternalStore(subscribe, () => version);
  return useMemo(() => {
    void v;
    const out: Problem[] = [];
    for (const part of parts) {
      const markers = monaco.editor.getModelMarkers({ resource: partUri(kind, part, path) });
      for (const m of markers) {
        if (m.severity < monaco.MarkerSeverity.Warning) continue;
        out.push({
          part,
          line: m.startLineNumber,
          column: m.startColumn,
          message: m.message,
          severity: m.severity === monaco.MarkerSeverity.Error ? 'error' : 'warning',
        });
      }
    }
    return out;
  }, [v, path, kind, parts]);
}
