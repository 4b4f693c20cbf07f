/**
 * A run stopped with Ctrl-C in the Runs view: the list says "interrupted", the run's head names
 * the step cut short and the steps that never ran, and the steps table marks that step, so a
 * short last step is never read as a whole one.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRunReport } from '../test/support/run-reports.js';
import { chromiumFor } from './support/require-chromium.js';
import { baselineRun, openRunsUi, type RunsUi } from './support/runs-ui.js';
import { repoRoot } from './support/tapedeck-cli.js';

const chromiumPath = chromiumFor('runs interrupted e2e');
const shots = path.join(repoRoot, 'test-results', 'screenshots');

const partial = makeRunReport({
  id: 'stopped-at-20',
  startedAt: '2026-12-03T10:00:00.000Z',
  steps: [5, 20],
});
const last = partial.steps[1];
if (last) last.durationMs = 2400;
const stopped = {
  ...partial,
  options: { ...partial.options, steps: [5, 20, 50, 100], durationMs: 6000 },
  interrupted: true as const,
};

describe.skipIf(!chromiumPath)('an interrupted run in the Runs view', { timeout: 180_000 }, () => {
  let runs: RunsUi;
  let page: Page;

  beforeAll(async () => {
    runs = await openRunsUi(chromiumPath as string, [baselineRun, stopped]);
    page = runs.page;
  }, 180_000);

  afterAll(() => runs?.close());

  it('is marked in the list, in its head and at its cut-short step', async () => {
    const item = page.getByTestId('run-item').filter({ hasText: 'stopped-at-20' });
    await expect.poll(() => item.locator('.run-meta').textContent()).toContain('interrupted');
    const other = page.getByTestId('run-item').filter({ hasText: 'baseline' });
    expect(await other.locator('.run-meta').textContent()).not.toContain('interrupted');

    await item.click();
    const detail = page.getByTestId('run-detail');
    await detail.locator('h2', { hasText: 'stopped-at-20' }).waitFor();
    expect(await detail.getByTestId('run-interrupted').textContent()).toBe(
      'interrupted: step 20 cut short after 2.4 s of 6 s; 50, 100 never ran',
    );
    const firstCells = await detail
      .getByTestId('run-steps')
      .locator('tbody tr td:first-child')
      .allTextContents();
    expect(firstCells).toEqual(['5', '20 (cut short)']);
    await page.screenshot({ path: path.join(shots, 'runs-interrupted-1600-light.png') });

    await page.getByTestId('run-item').filter({ hasText: 'baseline' }).click();
    await detail.locator('h2', { hasText: 'baseline' }).waitFor();
    expect(await detail.getByTestId('run-interrupted').count()).toBe(0);
  });
});
