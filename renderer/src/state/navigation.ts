/**
 * Every way of leaving the open file (another row, another folder, the start page) passes
 * here, so unsaved edits are saved or discarded only because the user said so.
 */
import { create } from 'zustand';
import {
  closeDocument,
  isDirty,
  openDocument,
  saveDocument,
  useDocument,
} from './document-store.js';
import type { LoadError } from '../../../shared/schema.js';
import { openFolder, returnCursorToSelection, setSelected, useSnapshot } from './snapshot-store.js';
import { revealProblem } from './ui-store.js';

interface GuardState {
  /** What waits for the user's answer about unsaved edits, and in which file they are. */
  pending: { path: string; action: () => void | Promise<unknown> } | null;
}

export const useGuard = create<GuardState>()(() => ({ pending: null }));

function guarded(action: () => void | Promise<unknown>): void {
  const doc = useDocument.getState().doc;
  if (doc && isDirty(doc)) {
    useGuard.setState({ pending: { path: doc.path, action } });
    return;
  }
  void action();
}

export async function answerGuard(choice: 'save' | 'discard' | 'cancel'): Promise<void> {
  const pending = useGuard.getState().pending;
  if (!pending) return;
  if (choice === 'cancel') {
    useGuard.setState({ pending: null });
    // A click or Enter on another row moved the cursor there before asking; staying puts it back.
    returnCursorToSelection();
    return;
  }
  if (choice === 'save' && !(await saveDocument())) {
    // The save was refused (conflict or invalid): stay, the document shows why.
    useGuard.setState({ pending: null });
    return;
  }
  useGuard.setState({ pending: null });
  await pending.action();
}

function show(path: string | null): void {
  setSelected(path);
  if (path === null) closeDocument();
  else void openDocument(path);
}

export function selectFile(path: string | null): void {
  if (useSnapshot.getState().selected === path) return;
  guarded(() => show(path));
}

/** A file that did not load opens in the whole-file editor at the line where it broke. */
export function openLoadError(error: LoadError): void {
  const reveal = () => {
    if (error.line !== undefined) revealProblem(error.file, 'file', error.line);
  };
  if (useSnapshot.getState().selected === error.file) {
    reveal();
    return;
  }
  guarded(() => {
    show(error.file);
    reveal();
  });
}

export function openFolderGuarded(path: string): void {
  guarded(async () => {
    closeDocument();
    await openFolder(path);
  });
}

export function backToStart(): void {
  guarded(() => {
    closeDocument();
    useSnapshot.setState({
      phase: 'start',
      dir: null,
      name: null,
      calls: [],
      errors: [],
      manifest: null,
      selected: null,
      cursor: null,
      scenarios: [],
    });
    document.title = 'Tapedeck';
  });
}
