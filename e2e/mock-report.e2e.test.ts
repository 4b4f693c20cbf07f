/**
 * A finished run, looked at later: `tapedeck mock --report FILE` writes its summary at exit, and
 * the UI's "Open report…" shows the numbers in that file, its hits, unused calls and misses (with
 * the same word-marked diff as the live panel, and no record action: the run is over).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockReport } from '../shared/mock-link.js';
import type { Call } from '../shared/schema.js';
import { formatCost } from '../shared/format.js';
import { launchChromium, type Browser } from './support/chromium.js';
import { chromiumFor } from './support/require-chromium.js';
import { bodyOf, makeChatSnapshot, send, withChangedWord } from './support/mock-link.js';
import { assertBuilt, repoRoot, startTapedeck, type Running } from './support/tapedeck-cli.js';

const chromiumPath = chromiumFor('mock report e2e');
const shots = path.join(repoRoot, 'test-results', 'screenshots');

describe.skipIf(!chromiumPath)('a --report file opened in the UI', { timeout: 120_000 }, () => {
  let work: string;
  let dir: string;
  let reportFile: string;
  let report: MockReport;
  let ui: Running;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    assertBuilt();
    work = await mkdtemp(path.join(tmpdir(), 'tapedeck-report-'));
    dir = path.join(work, 'snap');
    reportFile = path.join(work, 'run-report.json');
    const chats = await makeChatSnapshot(dir, 30);
    const [a, b] = chats as [Call, Call];
    const env = { TAPEDECK_CONFIG_DIR: path.join(work, 'config') };
    const mock = await startTapedeck(
      ['mock', dir, '--port', '0', '--timing', 'instant', '--report', reportFile],
      env,
    );
    try {
      // Two hits on one call, one on another, and one changed prompt twice: one distinct miss.
      expect(await send(mock.url, bodyOf(a))).toBe('hit');
      expect(await send(mock.url, bodyOf(a))).toBe('hit');
      expect(await send(mock.url, bodyOf(b))).toBe('hit');
      const changed = withChangedWord(a, 'kumquat').body;
      expect(await send(mock.url, changed)).not.toBe('hit');
      expect(await send(mock.url, changed)).not.toBe('hit');
    } finally {
      await mock.stop();
    }
    report = JSON.parse(await readFile(reportFile, 'utf8')) as MockReport;
    ui = await startTapedeck(['ui', dir, '--port', '0', '--no-open'], env);
    browser = await launchChromium(chromiumPath as string, { width: 1600, height: 1000 });
    browser.context.setDefaultTimeout(20_000);
    page = await browser.context.newPage();
    await page.goto(ui.url);
    await page.locator('.call-row').first().waitFor({ timeout: 60_000 });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('shows the totals, the calls hit, the unused ones and the miss with its diff', async () => {
    expect(report.requests).toBe(5);
    expect(report.hits).toBe(3);
    await page.getByRole('button', { name: 'Open report…' }).click();
    await page.getByLabel('report file').fill(reportFile);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    const view = page.getByTestId('report-view');
    await view.waitFor();
    expect(await view.getByTestId('report-requests').textContent()).toBe(String(report.requests));
    expect(await view.getByTestId('report-hits').textContent()).toBe(String(report.hits));
    expect(await view.getByTestId('report-misses').textContent()).toBe(String(report.unmatched));
    expect(await view.getByTestId('report-avoided').textContent()).toBe(
      formatCost(report.costAvoidedUsd),
    );
    const hit = await view.getByTestId('report-calls').locator('li').allTextContents();
    expect(hit).toEqual(report.calls.map((c) => `${c.file} ×${c.hits}`));
    expect(await view.getByTestId('report-unused').locator('li').count()).toBe(
      report.unused.length,
    );

    expect(report.misses).toHaveLength(1);
    const detail = view.getByTestId('miss-detail');
    await detail.waitFor();
    expect(
      await detail.getByTestId('miss-request').getByTestId('diff-added').allTextContents(),
    ).toEqual(['kumquat']);
    // The run is over: nothing to record, and no mock keeps the miss to build a fix from.
    expect(await detail.getByRole('button', { name: 'Record it' }).count()).toBe(0);
    expect(await detail.getByRole('button', { name: 'Widen this call' }).count()).toBe(0);
    await page.screenshot({ path: path.join(shots, 'report.png') });
  });
});
