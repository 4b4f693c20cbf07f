/**
 * "Record it" from the misses panel: the running mock keeps each unmatched request and, asked,
 * forwards it once to its upstream (here a local fake OpenAI given with --upstream) and saves the
 * reply as a new call. The panel names the file, the table shows the call, and the same request
 * then hits without reaching the upstream again.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Call } from '../shared/schema.js';
import { startFakeUpstream, type FakeUpstream } from '../test/support/fake-upstream.js';
import { chromiumFor } from './support/require-chromium.js';
import {
  makeChatSnapshot,
  openDesk,
  send,
  withChangedWord,
  type Desk,
} from './support/mock-link.js';
import { assertBuilt } from './support/tapedeck-cli.js';

const chromiumPath = chromiumFor('record-miss e2e');

describe.skipIf(!chromiumPath)('recording a miss from the UI', { timeout: 120_000 }, () => {
  let work: string;
  let dir: string;
  let chats: Call[];
  let upstream: FakeUpstream;
  let desk: Desk;

  beforeAll(async () => {
    assertBuilt();
    work = await mkdtemp(path.join(tmpdir(), 'tapedeck-record-miss-'));
    dir = path.join(work, 'snap');
    chats = await makeChatSnapshot(dir, 20);
    upstream = await startFakeUpstream();
    desk = await openDesk(chromiumPath as string, dir, path.join(work, 'config'), [
      '--upstream',
      `openai=${upstream.url}`,
    ]);
  }, 120_000);

  afterAll(async () => {
    await desk?.close();
    await upstream?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('forwards the kept request once, saves the reply as a call, and the request then hits', async () => {
    const page = desk.page;
    const before = (await readdir(path.join(dir, 'calls'))).length;
    const { body } = withChangedWord(chats[0] as Call, 'pomegranate');
    const forwarded = () => upstream.requests.filter((r) => r.path.endsWith('/chat/completions'));
    expect(await send(desk.mock.url, body)).not.toBe('hit');
    expect(forwarded()).toHaveLength(0);
    await page.getByTestId('live-row').filter({ hasText: 'miss' }).first().waitFor();
    await expect
      .poll(() => page.getByRole('tab', { name: /^Misses/ }).textContent())
      .toBe('Misses (1)');
    await page.getByRole('tab', { name: /^Misses/ }).click();
    const detail = page.getByTestId('miss-detail');
    await detail.getByRole('button', { name: 'Record it' }).click();
    const result = detail.getByTestId('record-result');
    await result.waitFor();
    expect(await result.textContent()).toMatch(
      /^Recorded as calls\/\S+\.json \(upstream answered 200\)$/,
    );
    const file = (await result.getByRole('button').textContent()) ?? '';
    expect(forwarded()).toHaveLength(1);
    expect((await readdir(path.join(dir, 'calls'))).length).toBe(before + 1);
    // The new call shows in the table, and the mock answers the same request with it.
    await page.locator(`[role="row"][data-file="${file}"]`).waitFor();
    await page.getByRole('tab', { name: 'Live' }).click();
    await expect
      .poll(
        async () => {
          await send(desk.mock.url, body);
          return (await page.getByTestId('live-row').first().getAttribute('data-outcome')) ?? '';
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe('hit');
    expect(forwarded()).toHaveLength(1);
    expect(desk.pageErrors).toEqual([]);
  });
});
