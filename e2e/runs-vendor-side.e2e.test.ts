/**
 * The Runs view's vendor side in Chromium: two run reports with the mock's per-second samples
 * (vendor B's queue and time to first byte rising, C sending malformed replies) and one written
 * before those samples existed. The sampled run draws its queue, TTFB, give-up and parser-error
 * charts with every vendor in the legends, the vendors-by-step table carries the new figures, the
 * old report shows one line saying why instead of empty axes and "—" where it lacks a figure, and
 * a compared run still overlays the per-step charts; light and dark, 1000 and 1600 px wide.
 */
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_VENDORS, makeRunReport } from '../test/support/run-reports.js';
import { chromiumFor } from './support/require-chromium.js';
import {
  baselineRun as baseline,
  degradingRun as faulty,
  openRunsUi,
  overlaps,
  type RunsUi,
} from './support/runs-ui.js';
import { repoRoot } from './support/tapedeck-cli.js';

const chromiumPath = chromiumFor('runs vendor side e2e');
const shots = path.join(repoRoot, 'test-results', 'screenshots');
const VENDOR_CHARTS = [
  'chart-vendor-queue',
  'chart-vendor-ttfb',
  'chart-vendor-giveups',
  'chart-vendor-malformed',
];
const NEW_COLUMNS = [
  'p95',
  'TTFB p95',
  'Peak in flight',
  'Peak queue',
  'Give-ups',
  'Errors',
  'Parser-error risk',
];

const older = makeRunReport({
  id: 'before-samples',
  startedAt: '2026-11-30T10:00:00.000Z',
  vendorSide: false,
});

/** Every chart card, the vendor-side line and both tables: none overlaps another, none is cut. */
async function expectLaidOut(page: Page, label: string): Promise<void> {
  const boxes = await page
    .locator('.run-chart, .run-vendor-none, .run-steps-wrap')
    .evaluateAll((els) =>
      els.map((el) => {
        const r = el.getBoundingClientRect();
        const plot = el.querySelector('.uplot')?.getBoundingClientRect();
        return {
          name: (el.getAttribute('data-testid') ?? el.className) as string,
          box: { x: r.x, y: r.y, width: r.width, height: r.height },
          plot: plot ? { x: plot.x, y: plot.y, width: plot.width, height: plot.height } : null,
        };
      }),
    );
  boxes.forEach((b, i) => {
    if (b.plot) {
      expect(b.plot.x, `${label}: ${b.name} left`).toBeGreaterThanOrEqual(b.box.x);
      expect(b.plot.x + b.plot.width, `${label}: ${b.name} right`).toBeLessThanOrEqual(
        b.box.x + b.box.width + 0.5,
      );
      expect(b.plot.y + b.plot.height, `${label}: ${b.name} bottom`).toBeLessThanOrEqual(
        b.box.y + b.box.height + 0.5,
      );
    }
    boxes.slice(i + 1).forEach((d) => {
      expect(overlaps(b.box, d.box), `${label}: ${b.name} and ${d.name}`).toBe(false);
    });
  });
}

async function legendOf(chart: Locator): Promise<{ label: string; style: string }[]> {
  return chart.locator('.u-legend .u-series').evaluateAll((rows) =>
    rows.map((r) => ({
      label: (r.textContent ?? '').trim(),
      style: getComputedStyle(r.querySelector('.u-marker') as Element).borderStyle,
    })),
  );
}

async function tableText(table: Locator): Promise<{ header: string[]; rows: string[][] }> {
  const header = await table.locator('thead th').allTextContents();
  const rows = await table
    .locator('tbody tr')
    .evaluateAll((trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent ?? '')),
    );
  return { header, rows };
}

describe.skipIf(!chromiumPath)('the Runs view, vendor side', { timeout: 180_000 }, () => {
  let runs: RunsUi;
  let page: Page;

  beforeAll(async () => {
    runs = await openRunsUi(chromiumPath as string, [baseline, faulty, older]);
    page = runs.page;
    await page.getByTestId('run-item').nth(2).waitFor();
  }, 180_000);

  afterAll(() => runs?.close());

  it('draws the queue, TTFB, give-up and parser-error charts of a sampled run', async () => {
    await page.getByTestId('run-item').filter({ hasText: 'vendor-b-degrading' }).click();
    const detail = page.getByTestId('run-detail');
    await detail.locator('h2', { hasText: 'vendor-b-degrading' }).waitFor();
    const side = detail.getByTestId('vendor-side');
    for (const id of VENDOR_CHARTS) await side.getByTestId(id).locator('canvas').waitFor();
    expect(await side.getByTestId('vendor-side-none').count()).toBe(0);

    // Queue solid, in flight dotted, one of each per vendor, and the mock's sockets.
    const queue = await legendOf(side.getByTestId('chart-vendor-queue'));
    for (const v of RUN_VENDORS) {
      expect(queue).toContainEqual({ label: `${v} queue`, style: 'solid' });
      expect(queue).toContainEqual({ label: `${v} in flight`, style: 'dotted' });
    }
    expect(queue.map((m) => m.label)).toContain('mock sockets');
    for (const id of ['chart-vendor-ttfb', 'chart-vendor-giveups', 'chart-vendor-malformed']) {
      const labels = (await legendOf(side.getByTestId(id))).map((m) => m.label);
      expect(labels, `${id} legend`).toEqual([...RUN_VENDORS]);
    }
    // Give-ups and malformed replies are charts of their own, not folded into the errors.
    const problems = (await legendOf(detail.getByTestId('chart-problems'))).map((m) => m.label);
    expect(problems).toEqual(['errors', 'timeouts', 'retries']);
  });

  it('lists each vendor at each step with the vendor-side figures', async () => {
    const { header, rows } = await tableText(page.getByTestId('run-vendor-steps'));
    for (const c of NEW_COLUMNS) expect(header, 'vendor table header').toContain(c);
    expect(rows).toHaveLength(faulty.steps.length * RUN_VENDORS.length);
    const col = (name: string) => header.indexOf(name);
    const last = faulty.steps.at(-1);
    const b = rows.find((r) => r[0] === String(last?.concurrency) && r[1] === 'vendor-b');
    const figures = last?.vendors['vendor-b'];
    expect(b?.[col('Peak queue')]).toBe(String(figures?.peakWaiting));
    expect(b?.[col('Peak in flight')]).toBe(String(figures?.peakInFlight));
    expect(b?.[col('Give-ups')]).toBe(String(figures?.giveUps));
    expect(b?.[col('TTFB p95')]).toBe(`${Math.round(figures?.ttfbP95Ms ?? -1)}ms`);
    // C's malformed replies, summed over the run, as the report counts them.
    const cRisk = rows
      .filter((r) => r[1] === 'vendor-c')
      .reduce((a, r) => a + Number(r[col('Parser-error risk')]), 0);
    const cMalformed = faulty.steps.reduce(
      (a, s) => a + (s.vendors['vendor-c']?.malformed ?? 0),
      0,
    );
    expect(cMalformed).toBeGreaterThan(0);
    expect(cRisk).toBe(cMalformed);
    expect(header.filter((h) => NEW_COLUMNS.includes(h))).toEqual(NEW_COLUMNS);
  });

  it('says in one line why an older report has no vendor side, and shows "—" for its figures', async () => {
    await page.getByTestId('run-item').filter({ hasText: 'before-samples' }).click();
    const detail = page.getByTestId('run-detail');
    await detail.locator('h2', { hasText: 'before-samples' }).waitFor();
    const none = detail.getByTestId('vendor-side-none');
    await none.waitFor();
    expect(await none.textContent()).toContain('No vendor-side samples');
    for (const id of VENDOR_CHARTS) expect(await detail.getByTestId(id).count(), id).toBe(0);
    // The charts it has data for still draw.
    for (const id of ['chart-p95', 'chart-share', 'chart-vendors', 'chart-problems'])
      await detail.getByTestId(id).locator('canvas').waitFor();
    const { header, rows } = await tableText(detail.getByTestId('run-vendor-steps'));
    expect(rows).toHaveLength(older.steps.length * RUN_VENDORS.length);
    for (const c of NEW_COLUMNS.filter((n) => n !== 'p95')) {
      const i = header.indexOf(c);
      expect(
        rows.every((r) => r[i] === '—'),
        c,
      ).toBe(true);
    }
    // Its vendor p95 predates the samples: it is still shown.
    expect(rows.every((r) => /ms|s$/.test(r[header.indexOf('p95')] ?? ''))).toBe(true);
  });

  it('overlays a second run on the per-step charts while the vendor side stays the shown run', async () => {
    await page.getByTestId('run-item').filter({ hasText: 'vendor-b-degrading' }).click();
    const detail = page.getByTestId('run-detail');
    await detail.locator('h2', { hasText: 'vendor-b-degrading' }).waitFor();
    await detail.getByLabel('compare with').selectOption('baseline');
    const p95 = detail.getByTestId('chart-p95');
    await p95.locator('.u-legend', { hasText: 'target · baseline' }).waitFor();
    const markers = await legendOf(p95);
    const compared = markers.filter((m) => m.label.endsWith('· baseline'));
    expect(compared).toHaveLength(1 + RUN_VENDORS.length);
    expect(compared.every((m) => m.style === 'dashed')).toBe(true);
    const side = detail.getByTestId('vendor-side');
    expect(await side.locator('h3').textContent()).toContain('of vendor-b-degrading');
    for (const id of VENDOR_CHARTS) {
      await side.getByTestId(id).locator('canvas').waitFor();
      const labels = (await legendOf(side.getByTestId(id))).map((m) => m.label);
      expect(
        labels.some((l) => l.includes('baseline')),
        id,
      ).toBe(false);
    }
  });

  it('lays out at 1000 and 1600 px, light and dark, nothing overlapping', async () => {
    for (const width of [1000, 1600]) {
      // Tall enough that the whole run detail, both tables included, is in the screenshot.
      await page.setViewportSize({ width, height: 2600 });
      await expect
        .poll(async () =>
          page
            .getByTestId('chart-vendor-queue')
            .evaluate(
              (f) =>
                Math.abs(
                  (f.querySelector('.uplot')?.getBoundingClientRect().width ?? 0) -
                    f.getBoundingClientRect().width,
                ) < 40,
            ),
        )
        .toBe(true);
      // The vendors-by-step table, twelve columns, fits without a scrollbar hiding its last ones.
      const fits = await page
        .getByTestId('run-vendor-steps')
        .evaluate(
          (t) =>
            t.getBoundingClientRect().right <=
            (t.parentElement as HTMLElement).getBoundingClientRect().right + 0.5,
        );
      expect(fits, `${width} px: vendor table fits`).toBe(true);
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await expectLaidOut(page, `${width} px ${scheme}`);
        await page.screenshot({ path: path.join(shots, `runs-vendor-${width}-${scheme}.png`) });
      }
      await page.emulateMedia({ colorScheme: 'light' });
    }
    // The older report's line, where the charts would be.
    await page.setViewportSize({ width: 1000, height: 1400 });
    await page.getByTestId('run-item').filter({ hasText: 'before-samples' }).click();
    await page.getByTestId('vendor-side-none').waitFor();
    await expectLaidOut(page, '1000 px, older report');
    await page.screenshot({ path: path.join(shots, 'runs-vendor-older-1000-light.png') });
  });
});
