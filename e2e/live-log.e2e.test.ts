/**
 * The live log against a real `tapedeck mock` and `tapedeck ui`: rows as the real `openai` SDK's
 * requests come, a hit linking to its call, Pause counting rows without showing them until
 * Resume, the filters, and the calls table's run marks with "unused this run".
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Call } from '../shared/schema.js';
import { chromiumFor } from './support/require-chromium.js';
import {
  bodyOf,
  fileOf,
  makeChatSnapshot,
  openDesk,
  send,
  withChangedWord,
  type Desk,
} from './support/mock-link.js';
import { assertBuilt } from './support/tapedeck-cli.js';

const chromiumPath = chromiumFor('live log e2e');
const CALLS = 20;

describe.skipIf(!chromiumPath)('the live log', { timeout: 120_000 }, () => {
  let work: string;
  let chats: Call[];
  let desk: Desk;

  beforeAll(async () => {
    assertBuilt();
    work = await mkdtemp(path.join(tmpdir(), 'tapedeck-live-log-'));
    const dir = path.join(work, 'snap');
    chats = await makeChatSnapshot(dir, CALLS);
    desk = await openDesk(chromiumPath as string, dir, path.join(work, 'config'));
  }, 120_000);

  afterAll(async () => {
    await desk?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('shows each request, pauses and resumes, filters, and marks the calls this run used', async () => {
    const page = desk.page;
    const rows = () => page.getByTestId('live-row');
    const [a, b] = chats as [Call, Call];
    expect(await send(desk.mock.url, bodyOf(a))).toBe('hit');
    await rows().first().waitFor();
    expect(await rows().first().getAttribute('data-outcome')).toBe('hit');
    expect(await rows().first().textContent()).toContain(`#${a.seq} call`);

    // The hit's link opens its call.
    await rows()
      .first()
      .getByRole('button', { name: `#${a.seq} call` })
      .click();
    await expect.poll(() => page.locator('.doc-path').textContent()).toBe(fileOf(a));

    // Paused: the rows are counted, not shown; Resume shows them.
    await page.getByRole('button', { name: 'Pause' }).click();
    expect(await send(desk.mock.url, bodyOf(b))).toBe('hit');
    expect(await send(desk.mock.url, withChangedWord(b, 'quince').body)).not.toBe('hit');
    await expect.poll(() => page.getByTestId('live-new').textContent()).toBe('2 new');
    expect(await rows().count()).toBe(1);
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => rows().count()).toBe(3);
    expect(await rows().evaluateAll((r) => r.map((x) => x.getAttribute('data-outcome')))).toEqual([
      'miss',
      'hit',
      'hit',
    ]);
    expect(await page.getByTestId('live-count').textContent()).toBe('3 rows');

    await page.getByLabel('outcome').selectOption('miss');
    await expect.poll(() => rows().count()).toBe(1);
    expect(await page.getByTestId('live-count').textContent()).toBe('1 of 3 rows');
    await page.getByLabel('outcome').selectOption('');
    await page.getByLabel('filter the live log').fill(`${b.seq} call`);
    await expect.poll(() => page.getByTestId('live-count').textContent()).toBe('1 of 3 rows');
    await page.getByLabel('filter the live log').fill('');

    // Run marks: a and b hit once each; "unused this run" keeps the other calls.
    const run = (c: Call) =>
      page.locator(`[role="row"][data-file="${fileOf(c)}"] [data-col="run"]`).textContent();
    await expect.poll(() => run(a)).toBe('1×');
    await expect.poll(() => run(b)).toBe('1×');
    await page.getByLabel('unused this run').check();
    await expect
      .poll(() => page.getByTestId('call-count').textContent())
      .toBe(`${CALLS - 2} of ${CALLS} calls`);
    await page.getByLabel('unused this run').uncheck();
    expect(desk.pageErrors).toEqual([]);
  });
});
