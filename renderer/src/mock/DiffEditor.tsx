/**
 * Monaco's diff editor, read-only: a fix's file before and after. Its models live in a scheme of
 * their own, so the schema diagnostics of the file editors never run on them. Loaded on demand.
 */
import { useEffect, useRef } from 'react';
import { usePrefersDark } from '../hooks/useColorScheme.js';
import { applyTheme, monaco } from '../editor/monaco.js';

let serial = 0;

export default function DiffEditor({
  before,
  after,
  path,
}: {
  before: string;
  after: string;
  path: string;
}) {
  const hostRef = useRef<HTMLDivElement>(null);
  const dark = usePrefersDark();
  useEffect(() => applyTheme(dark), [dark]);

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const n = ++serial;
    const uri = (side: string) =>
      monaco.Uri.from({ scheme: 'tapedeck-preview', path: `/${n}/${side}/${path}` });
    const original = monaco.editor.createModel(before, 'json', uri('before'));
    const modified = monaco.editor.createModel(after, 'json', uri('after'));
    const editor = monaco.editor.createDiffEditor(host, {
      readOnly: true,
      originalEditable: false,
      automaticLayout: true,
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
      renderSideBySide: true,
      useInlineViewWhenSpaceIsLimited: true,
      fontSize: 12,
      // The edit is a line or two in a long file: the rest folds away, so the change is in view.
      hideUnchangedRegions: { enabled: true, contextLineCount: 3, minimumLineCount: 3 },
    });
    editor.setModel({ original, modified });
    return () => {
      editor.dispose();
      original.dispose();
      modified.dispose();
    };
  }, [before, after, path]);

  return <div className="diff-editor-host" ref={hostRef} data-testid="fix-diff-editor" />;
}
