/**
 * Search in bodies from the filter bar, over 10,000 generated calls (bench/snapshot-gen.ts) with
 * the real `tapedeck ui` in Chromium: the table shows exactly the calls whose request or reply
 * text holds the words, and says how many of how many and how long the search took.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSnapshot } from '../bench/snapshot-gen.js';
import { Call } from '../shared/schema.js';
import { launchChromium, type Browser } from './support/chromium.js';
import { chromiumFor } from './support/require-chromium.js';
import { assertBuilt, startTapedeck, type Running } from './support/tapedeck-cli.js';

const chromiumPath = chromiumFor('body search e2e');
const CALLS = 10_000;

describe.skipIf(!chromiumPath)('search in bodies', { timeout: 180_000 }, () => {
  let work: string;
  let dir: string;
  let ui: Running;
  let browser: Browser;
  let page: Page;
  /** Each call file's request prompt and reply text, lower-cased: what the search must find. */
  const texts = new Map<string, string>();

  beforeAll(async () => {
    assertBuilt();
    work = await mkdtemp(path.join(tmpdir(), 'tapedeck-body-search-'));
    dir = path.join(work, 'snap');
    await generateSnapshot(dir, CALLS, { seed: 5, streamEvery: 25 });
    for (const name of await readdir(path.join(dir, 'calls'))) {
      const call = Call.parse(JSON.parse(await readFile(path.join(dir, 'calls', name), 'utf8')));
      texts.set(`calls/${name}`, JSON.stringify([call.request.body, call.response]).toLowerCase());
    }
    ui = await startTapedeck(['ui', dir, '--port', '0', '--no-open'], {
      TAPEDECK_CONFIG_DIR: path.join(work, 'config'),
    });
    browser = await launchChromium(chromiumPath as string, { width: 1600, height: 1000 });
    browser.context.setDefaultTimeout(60_000);
    page = await browser.context.newPage();
    await page.goto(ui.url);
    await page.locator('.call-row').first().waitFor({ timeout: 120_000 });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const count = () => page.getByTestId('call-count');
  const shownFiles = () =>
    page
      .getByRole('grid', { name: 'calls' })
      .locator('.call-row')
      .evaluateAll((rows) =>
        rows
          .map((r) => ({
            file: r.getAttribute('data-file') ?? '',
            at: Number(r.getAttribute('aria-rowindex')),
          }))
          .sort((a, b) => a.at - b.at)
          .map((r) => r.file),
      );

  async function search(query: string): Promise<void> {
    await page.getByLabel('search bodies').fill(query);
    await expect.poll(() => count().textContent(), { timeout: 60_000 }).toMatch(/searched in/);
  }

  it('finds the one call whose prompt holds a phrase, among 10,000', async () => {
    // The generator numbers its prompts: "Request #1234: …" is in call #1234's prompt only.
    const expected = [...texts].filter(([, t]) => t.includes('request #1234:')).map(([f]) => f);
    expect(expected).toHaveLength(1);
    await search('Request #1234:');
    expect(await count().textContent()).toMatch(/^1 of 10,000 calls · searched in \d[\d,]* ms$/);
    expect(await shownFiles()).toEqual(expected);
  });

  it('finds every call holding a rarer word, in capture order, and clears back to all', async () => {
    await search('Request #777');
    // #777, #7770–#7779: the phrase without its colon is a prefix of eleven prompts.
    const expected = [...texts]
      .filter(([, t]) => t.includes('request #777'))
      .map(([f]) => f)
      .sort();
    expect(expected).toHaveLength(11);
    expect(await count().textContent()).toMatch(/^11 of 10,000 calls/);
    expect(await shownFiles()).toEqual(expected);
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => count().textContent()).toBe('10,000 calls');
  });
});
