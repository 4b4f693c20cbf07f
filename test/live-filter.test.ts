/** The live log's filters: every word somewhere in the row, and one outcome or any. */
import { describe, expect, it } from 'vitest';
import type { LiveRow } from '../shared/mock-link.js';
import { filterRows } from '../renderer/src/mock/live-filter.js';

function row(id: number, patch: Partial<LiveRow>): LiveRow {
  return {
    id,
    time: 1_700_000_000_000 + id,
    upstream: 'openai',
    method: 'POST',
    path: '/v1/chat/completions',
    outcome: 'hit',
    call: `c_${id}`,
    file: `calls/00000${id}-openai.json`,
    missKey: null,
    faults: [],
    status: 200,
    ttfbMs: 1,
    totalMs: 2,
    costAvoidedUsd: 0.001,
    ...patch,
  };
}

const rows = [
  row(1, {}),
  row(2, { outcome: 'miss', call: null, file: null, missKey: 'k', status: 404 }),
  row(3, {
    upstream: 'anthropic',
    path: '/v1/messages',
    file: 'calls/000003-anthropic.json',
    faults: ['latency', 'http_error'],
  }),
  row(4, { outcome: 'passthrough', call: null, file: null, status: 502 }),
];
const ids = (r: readonly LiveRow[]) => r.map((x) => x.id);

describe('filterRows', () => {
  it('keeps every row, as the same array, without a filter', () => {
    expect(filterRows(rows, '  ', '')).toBe(rows);
  });

  it('keeps the rows of one outcome', () => {
    expect(ids(filterRows(rows, '', 'miss'))).toEqual([2]);
    expect(ids(filterRows(rows, '', 'hit'))).toEqual([1, 3]);
  });

  it('needs every word somewhere in the row, in any case', () => {
    expect(ids(filterRows(rows, 'ANTHROPIC latency', ''))).toEqual([3]);
    expect(ids(filterRows(rows, 'openai 404', ''))).toEqual([2]);
    expect(ids(filterRows(rows, 'c_1', ''))).toEqual([1]);
    expect(ids(filterRows(rows, 'openai latency', ''))).toEqual([]);
  });

  it('combines words and outcome', () => {
    expect(ids(filterRows(rows, 'chat', 'passthrough'))).toEqual([4]);
  });
});
