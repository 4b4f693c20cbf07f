/**
 * The JSON paths of a request body's places, spelled as the matcher spells a `DiffItem.path`
 * (one function, shared/matching/json-path.ts), so the diff view finds each item at its place.
 */
import { formatPath } from '../../../shared/matching/json-path.js';

export type Segment = string | number;

export const bodyPath = (segs: readonly Segment[]): string => formatPath('body', segs);
export const queryPath = (segs: readonly Segment[]): string => formatPath('query', segs);
