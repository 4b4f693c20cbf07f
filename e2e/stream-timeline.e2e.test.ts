/**
 * A streamed reply's timeline shows what each event adds to the reply, per provider family: the
 * events' text cells, in order, spell the reply the overview assembles (not the raw
 * `{"type":"content_block_delta",…` data, which stays in its own column).
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSnapshot } from '../bench/snapshot-gen.js';
import { adapterOf, routeOfCall } from '../shared/adapters/registry.js';
import { Call } from '../shared/schema.js';
import { launchChromium, type Browser } from './support/chromium.js';
import { chromiumFor } from './support/require-chromium.js';
import { assertBuilt, startTapedeck, type Running } from './support/tapedeck-cli.js';

const chromiumPath = chromiumFor('stream timeline e2e');

describe.skipIf(!chromiumPath)('the stream timeline', { timeout: 120_000 }, () => {
  let work: string;
  let ui: Running;
  let browser: Browser;
  let page: Page;
  const streamed: { file: string; call: Call }[] = [];

  beforeAll(async () => {
    assertBuilt();
    work = await mkdtemp(path.join(tmpdir(), 'tapedeck-timeline-'));
    const dir = path.join(work, 'snap');
    await generateSnapshot(dir, 24, { seed: 9, streamEvery: 2 });
    for (const name of (await readdir(path.join(dir, 'calls'))).sort()) {
      const call = Call.parse(JSON.parse(await readFile(path.join(dir, 'calls', name), 'utf8')));
      if (call.response.stream) streamed.push({ file: `calls/${name}`, call });
    }
    ui = await startTapedeck(['ui', dir, '--port', '0', '--no-open'], {
      TAPEDECK_CONFIG_DIR: path.join(work, 'config'),
    });
    browser = await launchChromium(chromiumPath as string, { width: 1600, height: 1000 });
    browser.context.setDefaultTimeout(20_000);
    page = await browser.context.newPage();
    await page.goto(ui.url);
    await page.locator('.call-row').first().waitFor({ timeout: 60_000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("spells each provider's streamed reply in its events' text cells", async () => {
    const families = new Set<string>();
    for (const { file, call } of streamed) {
      const family = routeOfCall(call).family;
      if (families.has(family)) continue;
      families.add(family);
      const expected = (call.response.stream ?? [])
        .map((e) => adapterOf(family).deltaText(e))
        .join('');
      expect(expected.length, file).toBeGreaterThan(0);
      await page.locator(`[role="row"][data-file="${file}"]`).click();
      await expect.poll(() => page.locator('.doc-path').textContent()).toBe(file);
      const cells = page.locator('.timeline tr.stream-event td:nth-child(4)');
      await cells.first().waitFor();
      const texts = await cells.allTextContents();
      expect(texts.join(''), file).toBe(expected);
      expect(await page.locator('.reply-text').textContent(), file).toBe(expected);
    }
    expect(families.size).toBeGreaterThanOrEqual(3);
  });
});
