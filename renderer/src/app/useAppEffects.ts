/**
 * Process-wide wiring: live changes from the host, keyboard shortcuts, the Electron menu and
 * drag-and-drop, the unsaved-edits guard on closing, and the folder given on the command line.
 */
import { useEffect } from 'react';
import type { ChangeEvent } from '../../../shared/desktop-api.js';
import { api, onResync } from '../api.js';
import { isDirty, onFileChanged, saveDocument, useDocument } from '../state/document-store.js';
import { openFolderGuarded } from '../state/navigation.js';
import { applyChanges, openFolder, resyncFolder, useSnapshot } from '../state/snapshot-store.js';
import { appInfo, pickFolder } from './app-info.js';

/**
 * Changes are folded in batches: a writer adding files quickly costs one rebuild of the rows per
 * batch. The window grows with the snapshot (rebuilding 100,000 rows takes a few hundred ms) and
 * stays under a second, so new rows always show within one.
 */
function batchDelay(): number {
  return Math.min(800, 100 + useSnapshot.getState().calls.length / 200);
}

function useChangeFeed(): void {
  useEffect(() => {
    let batch: ChangeEvent[] = [];
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      timer = null;
      const events = batch;
      batch = [];
      applyChanges(events);
    };
    const off = api.onChange((event) => {
      batch.push(event);
      timer ??= setTimeout(flush, batchDelay());
      if (useDocument.getState().doc?.path === event.path) void onFileChanged(event);
    });
    const offResync = onResync(() => void resyncFolder());
    return () => {
      off();
      offResync();
      if (timer) clearTimeout(timer);
    };
  }, []);
}

function useShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      if (mod && !e.shiftKey && !e.altKey && e.key.toLowerCase() === 'o') {
        e.preventDefault();
        void pickFolder();
      } else if (mod && !e.shiftKey && !e.altKey && e.key.toLowerCase() === 's') {
        // Inside Monaco its own Ctrl+S command saves; this covers the rest of the window.
        e.preventDefault();
        if (!inEditor(e.target)) void saveDocument();
      } else if (e.key === '/' && !mod && !isTyping(e.target)) {
        const search = document.getElementById('call-search');
        if (search) {
          e.preventDefault();
          search.focus();
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

function inEditor(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && target.closest('.monaco-editor') !== null;
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) ||
    inEditor(target)
  );
}

function useUnsavedGuard(): void {
  useEffect(() => {
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (!isDirty(useDocument.getState().doc)) return;
      e.preventDefault();
      // Older engines show the prompt only when returnValue is set.
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, []);
}

function useElectronExtras(): void {
  useEffect(() => {
    const offMenu = api.onMenu?.((command) => {
      if (command === 'open-folder') void pickFolder();
    });
    const pathForFile = api.pathForFile?.bind(api);
    if (!pathForFile) return () => offMenu?.();
    const onDragOver = (e: DragEvent) => {
      if (e.dataTransfer?.types.includes('Files')) {
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
      }
    };
    const onDrop = (e: DragEvent) => {
      const file = e.dataTransfer?.files[0];
      if (!file) return;
      e.preventDefault();
      const path = pathForFile(file);
      if (path) openFolderGuarded(path);
    };
    window.addEventListener('dragover', onDragOver);
    window.addEventListener('drop', onDrop);
    return () => {
      offMenu?.();
      window.removeEventListener('dragover', onDragOver);
      window.removeEventListener('drop', onDrop);
    };
  }, []);
}

function useInitialFolder(): void {
  useEffect(() => {
    void appInfo().then(
      (info) => {
        if (info.initialFolder) void openFolder(info.initialFolder);
      },
      () => undefined,
    );
  }, []);
}

export function useAppEffects(): void {
  useChangeFeed();
  useShortcuts();
  useUnsavedGuard();
  useElectronExtras();
  useInitialFolder();
}
