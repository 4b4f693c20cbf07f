/**
 * The file open in the detail pane: what is on disk (text + hash), the unsaved draft, the part
 * editors' own texts, and the decisions the user owes us (a refused save, a change on disk).
 * Unsaved edits are never dropped or overwritten without the user choosing so.
 */
import { create } from 'zustand';
import type { ChangeEvent, FileContent } from '../../../shared/desktop-api.js';
import type { LoadError } from '../../../shared/schema.js';
import { api } from '../api.js';
import { fileKindOf, readPart, writePart, type FileKind, type PartId } from './doc-parts.js';
import { applyChanges, useSnapshot } from './snapshot-store.js';

export interface Doc {
  path: string;
  kind: FileKind;
  status: 'loading' | 'ready' | 'failed';
  loadError: string | null;
  /** The text on disk as last read or saved, and its hash; null hash: the file does not exist yet. */
  baseText: string;
  baseHash: string | null;
  draft: string;
  /** A part editor's text as typed; absent parts are read out of the draft. */
  partTexts: Partial<Record<PartId, string>>;
  /** Parts whose text does not parse, so the draft lacks their latest edit. */
  partErrors: Partial<Record<PartId, string>>;
  saving: boolean;
  /** The host refused the save: not valid JSON or not matching the schema. */
  saveErrors: LoadError[] | null;
  /** The host refused the save: the file changed since we read it. */
  conflict: FileContent | null;
  /** The file changed (or went away) on disk while the draft had unsaved edits. */
  external: 'changed' | 'removed' | null;
  /** Short-lived confirmation ("Saved"), cleared on the next edit. */
  notice: string | null;
}

interface DocumentState {
  doc: Doc | null;
}

export const useDocument = create<DocumentState>()(() => ({ doc: null }));

const closeListeners = new Set<(path: string) => void>();

/** The editor module disposes its models (and their undo history) when a document closes. */
export function onDocumentClosed(listener: (path: string) => void): () => void {
  closeListeners.add(listener);
  return () => closeListeners.delete(listener);
}

export function isDirty(doc: Doc | null): boolean {
  if (!doc || doc.status !== 'ready') return false;
  return doc.draft !== doc.baseText || Object.keys(doc.partErrors).length > 0;
}

function update(path: string, patch: Partial<Doc> | ((d: Doc) => Partial<Doc>)): void {
  useDocument.setState((s) => {
    if (!s.doc || s.doc.path !== path) return s;
    const p = typeof patch === 'function' ? patch(s.doc) : patch;
    return { doc: { ...s.doc, ...p } };
  });
}

function current(path: string): Doc | null {
  const d = useDocument.getState().doc;
  return d && d.path === path ? d : null;
}

function fresh(path: string): Doc {
  return {
    path,
    kind: fileKindOf(path),
    status: 'loading',
    loadError: null,
    baseText: '',
    baseHash: null,
    draft: '',
    partTexts: {},
    partErrors: {},
    saving: false,
    saveErrors: null,
    conflict: null,
    external: null,
    notice: null,
  };
}

/** Over HTTP the error carries its code; Electron's IPC keeps only the message. */
function isNotFound(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  return (
    code === 'not_found' ||
    (typeof message === 'string' && /does not exist|not found/i.test(message))
  );
}

/** A new scenario starts as the smallest valid one. */
const NEW_SCENARIO = '{\n  "faults": []\n}\n';

export async function openDocument(path: string): Promise<void> {
  const previous = useDocument.getState().doc;
  if (previous && previous.path !== path) for (const l of closeListeners) l(previous.path);
  useDocument.setState({ doc: fresh(path) });
  try {
    const file = await api.readFile(path);
    update(path, {
      status: 'ready',
      baseText: file.text,
      baseHash: file.hash,
      draft: file.text,
    });
  } catch (err) {
    if (isNotFound(err) && fileKindOf(path) === 'scenario') {
      update(path, { status: 'ready', baseText: '', baseHash: null, draft: NEW_SCENARIO });
      return;
    }
    update(path, { status: 'failed', loadError: (err as Error).message });
  }
}

export function closeDocument(): void {
  const doc = useDocument.getState().doc;
  if (!doc) return;
  useDocument.setState({ doc: null });
  for (const l of closeListeners) l(doc.path);
}

/** The text a part's editor shows. */
export function partText(doc: Doc, part: PartId): { text: string; error: string | null } {
  const own = doc.partTexts[part];
  if (own !== undefined) return { text: own, error: null };
  const read = readPart(part, doc.draft);
  return read.ok ? { text: read.value, error: null } : { text: '', error: read.error };
}

export function editPart(path: string, part: PartId, text: string): void {
  update(path, (d) => {
    if (part === 'file') {
      // Part editors re-read the new draft; their unparsed texts were the ones being replaced.
      return { draft: text, partTexts: {}, partErrors: {}, notice: null, saveErrors: null };
    }
    const written = writePart(part, d.draft, text);
    const partErrors = { ...d.partErrors };
    if (written.ok) delete partErrors[part];
    else partErrors[part] = written.error;
    return {
      draft: written.ok ? written.value : d.draft,
      partTexts: { ...d.partTexts, [part]: text },
      partErrors,
      notice: null,
      saveErrors: null,
    };
  });
}

/** Own-save echoes that may arrive before the save's answer: their hashes, to recognise them. */
const echoes = new Map<string, ChangeEvent[]>();

export async function saveDocument(force = false): Promise<boolean> {
  const doc = useDocument.getState().doc;
  if (!doc || doc.status !== 'ready' || doc.saving) return false;
  const unparsed = Object.entries(doc.partErrors);
  if (unparsed.length > 0) {
    update(doc.path, {
      saveErrors: unparsed.map(([part, reason]) => ({
        file: doc.path,
        reason: `${part}: ${reason}`,
      })),
    });
    return false;
  }
  if (!force && !isDirty(doc) && doc.baseHash !== null) return true;
  const { path, draft } = doc;
  const baseHash = force && doc.conflict ? doc.conflict.hash : doc.baseHash;
  update(path, { saving: true, saveErrors: null, notice: null });
  echoes.set(path, []);
  let result;
  try {
    result = await api.saveFile(path, draft, baseHash);
  } catch (err) {
    echoes.delete(path);
    update(path, {
      saving: false,
      saveErrors: [{ file: path, reason: `not saved: ${(err as Error).message}` }],
    });
    return false;
  }
  const heard = echoes.get(path) ?? [];
  echoes.delete(path);
  if (!result.ok) {
    if (result.reason === 'conflict') update(path, { saving: false, conflict: result.current });
    else update(path, { saving: false, saveErrors: result.errors });
    return false;
  }
  const newHash = result.hash;
  update(path, (d) => ({
    saving: false,
    baseText: draft,
    baseHash: newHash,
    // Edits typed while the save was in flight stay unsaved.
    draft: d.draft,
    conflict: null,
    external: null,
    notice: 'Saved',
  }));
  if (result.call) applyChanges([{ kind: 'call', path, call: result.call, hash: newHash }]);
  if (path.startsWith('scenarios/')) {
    const { scenarios } = useSnapshot.getState();
    if (!scenarios.includes(path)) useSnapshot.setState({ scenarios: [...scenarios, path].sort() });
  }
  for (const ev of heard) if (!(ev.kind === 'call' && ev.hash === newHash)) void onFileChanged(ev);
  return true;
}

async function reloadFromDisk(path: string): Promise<void> {
  try {
    const file = await api.readFile(path);
    update(path, {
      status: 'ready',
      baseText: file.text,
      baseHash: file.hash,
      draft: file.text,
      partTexts: {},
      partErrors: {},
      conflict: null,
      external: null,
      saveErrors: null,
      notice: null,
    });
  } catch (err) {
    update(path, { status: 'failed', loadError: (err as Error).message });
  }
}

export type ConflictChoice = 'theirs' | 'overwrite' | 'keep';

export async function resolveConflict(choice: ConflictChoice): Promise<void> {
  const doc = useDocument.getState().doc;
  if (!doc?.conflict) return;
  if (choice === 'theirs') {
    const theirs = doc.conflict;
    update(doc.path, {
      baseText: theirs.text,
      baseHash: theirs.hash,
      draft: theirs.text,
      partTexts: {},
      partErrors: {},
      conflict: null,
      external: null,
    });
  } else if (choice === 'overwrite') {
    await saveDocument(true);
  } else {
    update(doc.path, { conflict: null });
  }
}

export async function resolveExternal(choice: 'theirs' | 'keep'): Promise<void> {
  const doc = useDocument.getState().doc;
  if (!doc?.external) return;
  if (choice === 'theirs') {
    if (doc.external === 'removed') closeDocument();
    else await reloadFromDisk(doc.path);
  } else {
    // Keeping ours: the next save is refused as a conflict, and that dialog decides.
    update(doc.path, { external: null });
  }
}

/** A change on disk to the open file. */
export async function onFileChanged(ev: ChangeEvent): Promise<void> {
  const doc = current(ev.path);
  if (!doc) return;
  const pending = echoes.get(ev.path);
  if (pending) {
    pending.push(ev);
    return;
  }
  if (ev.kind === 'call' && ev.hash === doc.baseHash) return;
  if (ev.kind === 'removed') {
    if (isDirty(doc)) update(ev.path, { external: 'removed' });
    else {
      closeDocument();
      if (useSnapshot.getState().selected === ev.path) useSnapshot.setState({ selected: null });
    }
    return;
  }
  // 'error' and 'manifest' carry no hash: compare what is on disk now.
  let onDisk: FileContent;
  try {
    onDisk = await api.readFile(ev.path);
  } catch {
    return;
  }
  const now = current(ev.path);
  if (!now || onDisk.hash === now.baseHash) return;
  if (isDirty(now)) {
    update(ev.path, { external: 'changed' });
    return;
  }
  update(ev.path, {
    status: 'ready',
    baseText: onDisk.text,
    baseHash: onDisk.hash,
    draft: onDisk.text,
    partTexts: {},
    partErrors: {},
    saveErrors: null,
  });
}
