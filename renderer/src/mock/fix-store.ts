/**
 * A fix for one miss, from the preview to the save: the host builds the edit (previewFix), the
 * user sees it in a diff editor, and Save writes it with the hash the preview was built on, so a
 * file that changed meanwhile is a conflict and nothing is overwritten. "Record it" lives here too.
 */
import { create } from 'zustand';
import type { FileContent, FixPreview, FixRequest } from '../../../shared/desktop-api.js';
import type { RecordMissResult } from '../../../shared/mock-link.js';
import { api } from '../api.js';

export interface FixState {
  /** The fix being previewed (or built), null when the dialog is closed. */
  asked: FixRequest | null;
  preview: FixPreview | null;
  building: boolean;
  saving: boolean;
  error: string | null;
  /** The save found the file changed on disk: its current content; nothing was written. */
  conflict: FileContent | null;
  /** After a save: what it did, shown beside the misses. */
  saved: { path: string; fixes: number } | null;
  /** Per miss key: a record in flight, or its result. */
  records: Readonly<Record<string, RecordMissResult | 'pending'>>;
}

export const useFix = create<FixState>()(() => ({
  asked: null,
  preview: null,
  building: false,
  saving: false,
  error: null,
  conflict: null,
  saved: null,
  records: {},
}));

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

let asking = 0;

export async function previewFix(fix: FixRequest): Promise<void> {
  const token = ++asking;
  useFix.setState({
    asked: fix,
    preview: null,
    building: true,
    error: null,
    conflict: null,
    saved: null,
  });
  try {
    const preview = await api.previewFix(fix);
    if (token === asking) useFix.setState({ preview, building: false });
  } catch (err) {
    if (token === asking) useFix.setState({ building: false, error: message(err) });
  }
}

export function closeFix(): void {
  asking++;
  useFix.setState({ asked: null, preview: null, building: false, error: null, conflict: null });
}

export async function saveFix(): Promise<void> {
  const { preview, saving } = useFix.getState();
  if (!preview || saving) return;
  useFix.setState({ saving: true, error: null });
  try {
    const result = await api.saveFile(preview.path, preview.after, preview.baseHash);
    if (result.ok) {
      useFix.setState({
        saving: false,
        asked: null,
        preview: null,
        saved: { path: preview.path, fixes: preview.fixesMisses.length },
      });
    } else if (result.reason === 'conflict') {
      useFix.setState({ saving: false, conflict: result.current });
    } else {
      useFix.setState({
        saving: false,
        error: `Not saved, the edit is not valid: ${result.errors.map((e) => e.reason).join('; ')}`,
      });
    }
  } catch (err) {
    useFix.setState({ saving: false, error: message(err) });
  }
}

/** The misses start over (a reset): what was said about the old ones goes too. */
export function forgetFixes(): void {
  useFix.setState({ saved: null, records: {} });
}

export async function recordMiss(key: string): Promise<void> {
  useFix.setState((s) => ({ records: { ...s.records, [key]: 'pending' } }));
  let result: RecordMissResult;
  try {
    result = await api.recordMiss(key);
  } catch (err) {
    result = { ok: false, reason: message(err) };
  }
  useFix.setState((s) => ({ records: { ...s.records, [key]: result } }));
}
