/**
 * The Runs view in Chromium: two `tapedeck load` run reports in the folder's runs/ (vendor B's
 * share falling in one of them) and a broken file beside them; the list shows all three, a run's
 * charts draw (uPlot canvases, legends naming the vendors), a second run overlays dashed, and the
 * charts follow the window's width without overlapping, light and dark.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_VENDORS } from '../test/support/run-reports.js';
import { chromiumFor } from './support/require-chromium.js';
import {
  baselineRun as baseline,
  degradingRun as faulty,
  openRunsUi,
  overlaps,
  type Box,
  type RunsUi,
} from './support/runs-ui.js';
import { repoRoot } from './support/tapedeck-cli.js';

const chromiumPath = chromiumFor('runs view e2e');
const shots = path.join(repoRoot, 'test-results', 'screenshots');
const CHARTS = [
  'chart-p95',
  'chart-share',
  'chart-vendors',
  'chart-problems',
  'chart-cost',
  'chart-vendor-queue',
  'chart-vendor-ttfb',
  'chart-vendor-giveups',
  'chart-vendor-malformed',
];

async function chartBoxes(page: Page): Promise<{ figure: Box; plot: Box; canvas: Box }[]> {
  return page.locator('.run-chart').evaluateAll((figures) =>
    figures.map((f) => {
      const box = (el: Element | null) => {
        const r = (el as HTMLElement).getBoundingClientRect();
        return { x: r.x, y: r.y, width: r.width, height: r.height };
      };
      return {
        figure: box(f),
        plot: box(f.querySelector('.uplot')),
        canvas: box(f.querySelector('canvas')),
      };
    }),
  );
}

async function expectLaidOut(page: Page, label: string): Promise<void> {
  const charts = await chartBoxes(page);
  expect(charts, label).toHaveLength(CHARTS.length);
  charts.forEach((c, i) => {
    expect(c.canvas.width, `${label}: chart ${i} canvas width`).toBeGreaterThan(100);
    expect(c.canvas.height, `${label}: chart ${i} canvas height`).toBeGreaterThan(100);
    // The plot fills its card and stays inside it, legend included.
    expect(c.plot.x, `${label}: chart ${i} left`).toBeGreaterThanOrEqual(c.figure.x);
    expect(c.plot.x + c.plot.width, `${label}: chart ${i} right`).toBeLessThanOrEqual(
      c.figure.x + c.figure.width + 0.5,
    );
    expect(c.plot.width, `${label}: chart ${i} follows its card`).toBeGreaterThan(
      c.figure.width - 40,
    );
    expect(c.plot.y + c.plot.height, `${label}: chart ${i} bottom`).toBeLessThanOrEqual(
      c.figure.y + c.figure.height + 0.5,
    );
    charts.slice(i + 1).forEach((d, j) => {
      expect(overlaps(c.figure, d.figure), `${label}: charts ${i} and ${i + j + 1}`).toBe(false);
    });
  });
}

describe.skipIf(!chromiumPath)('the Runs view', { timeout: 180_000 }, () => {
  let runs: RunsUi;
  let page: Page;

  beforeAll(async () => {
    runs = await openRunsUi(chromiumPath as string, [baseline, faulty], (dir) =>
      writeFile(path.join(dir, 'runs', 'half-written.json'), '{ "format": "tapedeck-run/1", '),
    );
    page = runs.page;
  }, 180_000);

  afterAll(() => runs?.close());

  it('lists both runs and the broken file, newest first', async () => {
    await page.getByRole('tab', { name: 'Runs' }).click();
    const items = page.getByTestId('run-item');
    await expect.poll(() => items.count()).toBe(2);
    expect(await items.locator('.run-id').allTextContents()).toEqual([
      'vendor-b-degrading',
      'baseline',
    ]);
    const bad = page.getByTestId('run-bad');
    expect(await bad.locator('.run-id').textContent()).toBe('runs/half-written.json');
    expect(await bad.locator('.run-meta').textContent()).toContain('invalid JSON');
  });

  it("draws a run's charts, with the vendors named and B's share falling", async () => {
    await page.getByTestId('run-item').filter({ hasText: 'vendor-b-degrading' }).click();
    const detail = page.getByTestId('run-detail');
    await detail.locator('h2', { hasText: 'vendor-b-degrading' }).waitFor();
    for (const id of CHARTS) await detail.getByTestId(id).locator('canvas').waitFor();
    await expectLaidOut(page, '1600 px');
    for (const id of ['chart-p95', 'chart-share', 'chart-vendors']) {
      const legend = await detail.getByTestId(id).locator('.u-legend').textContent();
      for (const v of RUN_VENDORS) expect(legend, `${id} legend`).toContain(v);
    }
    const problems = await detail.getByTestId('chart-problems').locator('.u-legend').textContent();
    for (const s of ['errors', 'timeouts', 'retries']) expect(problems).toContain(s);

    // The vendors-by-step table says what the share chart draws: B loses its traffic step by step.
    const vendorTable = detail.getByTestId('run-vendor-steps');
    const header = await vendorTable.locator('thead th').allTextContents();
    const vendorCol = header.indexOf('Vendor') + 1;
    const shareCol = header.indexOf('Share') + 1;
    expect(vendorCol).toBeGreaterThan(0);
    expect(shareCol).toBeGreaterThan(0);
    const shares = (
      await vendorTable
        .locator('tbody tr', {
          has: page.locator(`td:nth-child(${vendorCol})`, { hasText: /^vendor-b$/ }),
        })
        .locator(`td:nth-child(${shareCol})`)
        .allTextContents()
    ).map((t) => Number(t.replace('%', '')));
    expect(shares).toHaveLength(faulty.steps.length);
    expect(shares).toEqual([...shares].sort((a, b) => b - a));
    expect((shares[0] as number) - (shares.at(-1) as number)).toBeGreaterThan(20);
  });

  it('overlays a second run dashed on the per-step and over-time charts', async () => {
    const detail = page.getByTestId('run-detail');
    await detail.getByLabel('compare with').selectOption('baseline');
    const p95 = detail.getByTestId('chart-p95');
    await p95.locator('.u-legend', { hasText: 'target · baseline' }).waitFor();
    const markers = await p95.locator('.u-legend .u-series').evaluateAll((rows) =>
      rows.map((r) => ({
        label: r.textContent ?? '',
        style: getComputedStyle(r.querySelector('.u-marker') as Element).borderStyle,
      })),
    );
    const compared = markers.filter((m) => m.label.endsWith('· baseline'));
    const shown = markers.filter((m) => !m.label.includes(' · '));
    expect(compared.length).toBe(1 + RUN_VENDORS.length);
    expect(shown.length).toBe(1 + RUN_VENDORS.length);
    expect(compared.every((m) => m.style === 'dashed')).toBe(true);
    expect(shown.every((m) => m.style === 'solid')).toBe(true);
    const share = await detail.getByTestId('chart-share').locator('.u-legend').textContent();
    expect(share).toContain('vendor-b · baseline');
    // The over-time charts overlay it too, on seconds since each run's start.
    for (const [id, names] of [
      ['chart-vendors', RUN_VENDORS],
      ['chart-problems', ['errors', 'timeouts', 'retries']],
    ] as const) {
      const chart = detail.getByTestId(id);
      await chart.locator('.u-legend', { hasText: `${names[0]} · baseline` }).waitFor();
      const rows = await chart.locator('.u-legend .u-series').evaluateAll((els) =>
        els.map((r) => ({
          label: r.textContent ?? '',
          style: getComputedStyle(r.querySelector('.u-marker') as Element).borderStyle,
        })),
      );
      const dashed = rows.filter((m) => m.label.endsWith('· baseline'));
      expect(
        dashed.map((m) => m.label.replace(' · baseline', '')),
        id,
      ).toEqual([...names]);
      expect(
        dashed.every((m) => m.style === 'dashed'),
        id,
      ).toBe(true);
      expect(await chart.textContent(), id).toContain('dashed: baseline');
    }
    expect(await detail.getByTestId('run-steps').locator('thead th').allTextContents()).toContain(
      'Δ p95',
    );
  });

  it('follows the window from 1000 to 1600 px, light and dark, nothing overlapping', async () => {
    for (const width of [1000, 1600]) {
      await page.setViewportSize({ width, height: 1000 });
      const figure = page.getByTestId('chart-p95');
      // The ResizeObserver resizes the canvas to the card the grid gives it at this width.
      await expect
        .poll(async () => {
          const [c] = await chartBoxes(page);
          return c ? Math.abs(c.plot.width - c.figure.width) < 40 : false;
        })
        .toBe(true);
      await figure.locator('canvas').waitFor();
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await expectLaidOut(page, `${width} px ${scheme}`);
        await page.screenshot({ path: path.join(shots, `runs-${width}-${scheme}.png`) });
      }
      await page.emulateMedia({ colorScheme: 'light' });
    }
  });
});
