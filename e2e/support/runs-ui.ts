/**
 * The Runs view's e2e fixture: a snapshot folder with run reports in its runs/, `tapedeck ui` on
 * it, and Chromium on the page with its Runs tab open; plus the two runs both Runs specs draw and
 * the box test their layout checks use.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { RunReport } from '../../shared/schema.js';
import { makeRunReport, writeRunReports } from '../../test/support/run-reports.js';
import { launchChromium, type Browser } from './chromium.js';
import { makeSnapshot } from './snapshot.js';
import { assertBuilt, startTapedeck, type Running } from './tapedeck-cli.js';

/** A run with every vendor healthy. */
export const baselineRun = makeRunReport({
  id: 'baseline',
  startedAt: '2026-12-01T10:00:00.000Z',
  degrading: null,
});

/** A run in which vendor B degrades step by step. */
export const degradingRun = makeRunReport({
  id: 'vendor-b-degrading',
  startedAt: '2026-12-02T10:00:00.000Z',
  latencyFactor: 1.6,
});

export interface RunsUi {
  dir: string;
  page: Page;
  close(): Promise<void>;
}

/**
 * Writes `reports` (and whatever `prepare` adds to the folder), starts `tapedeck ui` on it and
 * opens the Runs tab at 1600 × 1000.
 */
export async function openRunsUi(
  chromiumPath: string,
  reports: readonly RunReport[],
  prepare: (dir: string) => Promise<void> = async () => undefined,
): Promise<RunsUi> {
  assertBuilt();
  const work = await mkdtemp(path.join(tmpdir(), 'tapedeck-runs-'));
  const dir = path.join(work, 'snap');
  let ui: Running | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await ui?.stop();
    await rm(work, { recursive: true, force: true });
  };
  try {
    await makeSnapshot(dir, 12);
    await writeRunReports(dir, reports);
    await prepare(dir);
    ui = await startTapedeck(['ui', dir, '--port', '0', '--no-open'], {
      TAPEDECK_CONFIG_DIR: path.join(work, 'config'),
    });
    browser = await launchChromium(chromiumPath, { width: 1600, height: 1000 });
    browser.context.setDefaultTimeout(20_000);
    const page = await browser.context.newPage();
    await page.goto(ui.url);
    await page.locator('.call-row').first().waitFor({ timeout: 60_000 });
    await page.getByRole('tab', { name: 'Runs' }).click();
    return { dir, page, close };
  } catch (e) {
    await close();
    throw e;
  }
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Whether two boxes overlap by more than half a pixel each way. */
export function overlaps(a: Box, b: Box): boolean {
  return (
    a.x < b.x + b.width - 0.5 &&
    b.x < a.x + a.width - 0.5 &&
    a.y < b.y + b.height - 0.5 &&
    b.y < a.y + a.height - 0.5
  );
}
