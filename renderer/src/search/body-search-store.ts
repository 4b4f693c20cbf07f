/**
 * Search in request and response bodies, done by the host over every call file. A newer query
 * supersedes an older one: the older's answer, whenever it comes, is dropped.
 */
import { create } from 'zustand';
import type { BodySearchResult } from '../../../shared/desktop-api.js';
import { api } from '../api.js';

export interface BodySearchState {
  query: string;
  searching: boolean;
  result: BodySearchResult | null;
  error: string | null;
}

const initial: BodySearchState = { query: '', searching: false, result: null, error: null };

export const useBodySearch = create<BodySearchState>()(() => initial);

/** Typing pauses this long before a search is sent: each one reads every call file. */
export const BODY_SEARCH_DELAY_MS = 250;

let latest = 0;
let timer: ReturnType<typeof setTimeout> | null = null;

export function searchBodies(query: string): void {
  const mine = ++latest;
  if (timer) clearTimeout(timer);
  timer = null;
  if (query.trim() === '') {
    useBodySearch.setState(initial);
    return;
  }
  useBodySearch.setState({ query, searching: true, error: null });
  timer = setTimeout(() => {
    timer = null;
    api.searchBodies(query.trim()).then(
      (result) => {
        if (mine === latest) useBodySearch.setState({ searching: false, result });
      },
      (err: unknown) => {
        if (mine === latest)
          useBodySearch.setState({
            searching: false,
            result: null,
            error: err instanceof Error ? err.message : String(err),
          });
      },
    );
  }, BODY_SEARCH_DELAY_MS);
}

export function clearBodySearch(): void {
  searchBodies('');
}
