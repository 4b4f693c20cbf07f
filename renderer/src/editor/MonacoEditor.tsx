/**
 * One Monaco editor that shows the model of `uri`. Models outlive the editor (one per file part),
 * so switching tabs keeps each part's undo history; outside changes to `value` (a reload, an
 * edit in another part) are applied as an undoable edit rather than a reset.
 */
import { useEffect, useEffectEvent, useRef } from 'react';
import { monaco } from './monaco.js';

interface Props {
  uri: monaco.Uri;
  value: string;
  onChange: (text: string) => void;
  onSave: () => void;
  /** Moves the cursor to a line; a new object each time, so the same line can be revealed twice. */
  reveal?: { line: number; column?: number } | null;
  ariaLabel: string;
}

const viewStates = new Map<string, monaco.editor.ICodeEditorViewState | null>();

export function MonacoEditor({ uri, value, onChange, onSave, reveal, ariaLabel }: Props) {
  const hostRef = useRef<HTMLDivElement>(null);
  const editorRef = useRef<monaco.editor.IStandaloneCodeEditor | null>(null);
  // Set while we write `value` into the model, so that write is not reported back as typing.
  const applying = useRef(false);
  const changed = useEffectEvent((text: string) => onChange(text));
  const save = useEffectEvent(() => onSave());
  const key = uri.toString();

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const editor = monaco.editor.create(host, {
      model: null,
      automaticLayout: true,
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
      tabSize: 2,
      fontSize: 13,
      fixedOverflowWidgets: true,
      renderValidationDecorations: 'on',
      ariaLabel,
    });
    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => save());
    const sub = editor.onDidChangeModelContent(() => {
      if (!applying.current) changed(editor.getValue());
    });
    editorRef.current = editor;
    return () => {
      const model = editor.getModel();
      if (model) viewStates.set(model.uri.toString(), editor.saveViewState());
      sub.dispose();
      editor.dispose();
      editorRef.current = null;
    };
    // The editor is created once; its label is fixed for its life.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const editor = editorRef.current;
    if (!editor) return;
    const model = monaco.editor.getModel(uri) ?? monaco.editor.createModel(value, 'json', uri);
    const previous = editor.getModel();
    if (previous === model) return;
    if (previous) viewStates.set(previous.uri.toString(), editor.saveViewState());
    editor.setModel(model);
    const state = viewStates.get(key);
    if (state) editor.restoreViewState(state);
    // Only the URI picks the model; `value` is synced by the next effect.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  useEffect(() => {
    const model = monaco.editor.getModel(uri);
    if (!model || model.getValue() === value) return;
    applying.current = true;
    try {
      model.pushStackElement();
      model.pushEditOperations([], [{ range: model.getFullModelRange(), text: value }], () => null);
      model.pushStackElement();
    } finally {
      applying.current = false;
    }
    // `uri` is represented by `key`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value, key]);

  useEffect(() => {
    const editor = editorRef.current;
    if (!editor || !reveal) return;
    const position = { lineNumber: reveal.line, column: reveal.column ?? 1 };
    editor.setPosition(position);
    editor.revealPositionInCenter(position);
    editor.focus();
  }, [reveal]);

  return <div className="monaco-host" ref={hostRef} data-uri={key} />;
}
