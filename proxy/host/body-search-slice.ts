/** One share of a body search, the same in a worker thread and in the host's own thread. */
import { searchTextOf } from '../../shared/search-text.js';
import { loadCallFileSync } from '../store/snapshot-store.js';

export interface SearchSliceRequest {
  dir: string;
  files: string[];
  /** Lowercased. */
  needle: string;
  /** Bytes of extracted text to send back for the cache; the rest is searched and dropped. */
  keepBytes: number;
}

export interface SearchedFile {
  file: string;
  id: string;
  seq: number;
  matched: boolean;
  /** The extracted text, while `keepBytes` lasts. */
  text?: string;
}

/** Broken files are left out: opening the folder already reported them as load errors. */
export function searchSlice(req: SearchSliceRequest): SearchedFile[] {
  const out: SearchedFile[] = [];
  let budget = req.keepBytes;
  for (const file of req.files) {
    const loaded = loadCallFileSync(req.dir, file);
    if (!loaded.call) continue;
    const text = searchTextOf(loaded.call.call);
    const entry: SearchedFile = {
      file,
      id: loaded.call.call.id,
      seq: loaded.call.call.seq,
      matched: text.includes(req.needle),
    };
    const cost = textBytes(text);
    if (cost <= budget) {
      entry.text = text;
      budget -= cost;
    }
    out.push(entry);
  }
  return out;
}

/** What a string costs in memory (V8 keeps non-Latin-1 text at two bytes a character). */
export function textBytes(text: string): number {
  return text.length * 2;
}
