/**
 * The vendor side in the printed tables: `tapedeck load`'s step table and `tapedeck report RUN`
 * show per vendor its share, calls, p95, TTFB p95, peak in-flight, peak queue, give-ups, retries
 * and malformed replies (labelled parser-error risk); an older report without those figures still
 * prints, with – for them. `tapedeck report A B` marks a rise of a vendor's p95 or of its share of
 * malformed replies as a regression, as it does for the target's figures.
 */
import { describe, expect, it } from 'vitest';
import { compareRuns } from '../shared/load/compare.js';
import { formatComparison, formatRun, formatStep } from '../shared/load/format.js';
import type { RunVendor } from '../shared/schema.js';
import { run, step } from './support/run-report.js';

function vendor(o: Partial<RunVendor> = {}): RunVendor {
  return {
    share: 1,
    requests: 100,
    matched: 100,
    unmatched: 0,
    retries: 2,
    faults: {},
    costAvoidedUsd: 0,
    ...o,
  };
}

const sampled = vendor({
  p95Ms: 250,
  ttfbP95Ms: 40,
  peakInFlight: 12,
  peakWaiting: 5,
  giveUps: 3,
  errors: 1,
  malformed: 4,
  faults: { malformed: 4 },
});

const lineOf = (text: string, start: RegExp) => text.split('\n').find((l) => start.test(l)) ?? '';

describe('the vendor columns', () => {
  it('show each vendor side figure under the step', () => {
    const text = formatStep(step(5, { vendors: { openai: sampled } }), 1, 1);
    const head = lineOf(text, /^ {2}vendor /);
    for (const col of [
      'share',
      'calls',
      'p95',
      'ttfb p95',
      'peak in-flight',
      'peak queue',
      'give-ups',
      'retries',
      'malformed (parser-error risk)',
    ])
      expect(head).toContain(col);
    expect(
      lineOf(text, /^ {2}openai /)
        .trim()
        .split(/ {2,}/),
    ).toEqual(['openai', '100%', '100', '250 ms', '40 ms', '12', '5', '3', '2', '4']);
    expect(text).toContain('openai: 1 error reply, faults malformed ×4');
  });

  it('print an older report with – where it has no vendor side', () => {
    const text = formatRun(run('old', [step(5, { vendors: { openai: vendor() } })]));
    expect(
      lineOf(text, /^ {2}openai /)
        .trim()
        .split(/ {2,}/),
    ).toEqual(['openai', '100%', '100', '–', '–', '–', '–', '–', '2', '–']);
  });

  it('mark a rise in vendor p95 or in malformed replies as a regression', () => {
    const before = run('before', [
      step(5, { vendors: { openai: sampled } }),
      step(20, { vendors: { openai: sampled } }),
      step(50, { vendors: { openai: vendor() } }),
    ]);
    const after = run('after', [
      step(5, { vendors: { openai: { ...sampled, p95Ms: 400 } } }),
      step(20, { vendors: { openai: { ...sampled, malformed: 9 } } }),
      step(50, { vendors: { openai: sampled } }),
    ]);
    const c = compareRuns(before, after);
    expect(c.steps.map((s) => s.regressions)).toEqual([['openai p95'], ['openai malformed'], []]);
    expect(c.steps[0]?.vendors.openai?.p95).toMatchObject({ before: 250, after: 400 });
    // An older run has no vendor side to compare: nothing to mark.
    expect(c.steps[2]?.vendors).toEqual({});
    expect(c.regressions).toBe(2);
    const text = formatComparison(c);
    const lines = text.split('\n');
    const vendorLines = lines.filter((l) => /^ {2}openai/.test(l));
    expect(vendorLines[0]).toContain('▲ +150 ms (+60%)');
    expect(vendorLines[0]).toContain('REGRESSION (p95)');
    expect(vendorLines[1]).toContain('▲ +5');
    expect(vendorLines[1]).toContain('REGRESSION (malformed)');
    // The target's own row carries no vendor regression of its own.
    expect(lineOf(text, /^5 /)).not.toContain('REGRESSION');
    expect(lines[1]).toContain('malformed');
    expect(text).toContain('2 step(s) regressed');
  });
});
