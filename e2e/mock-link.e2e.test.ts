/**
 * The loop the desktop app exists for, end to end: a real `tapedeck mock` and `tapedeck ui`, the
 * real `openai` SDK, Debian's Chromium. A request whose prompt changed shows as a miss with the
 * changed word marked; "Widen this call" shows its edit in Monaco's diff editor, saves it, and the
 * same request then hits (the live log says so); a rule for every call on the route fixes the
 * misses of two calls at once.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Call } from '../shared/schema.js';
import { chromiumFor } from './support/require-chromium.js';
import {
  fileOf,
  makeChatSnapshot,
  openDesk,
  send,
  withChangedWord,
  type Desk,
} from './support/mock-link.js';
import { assertBuilt, repoRoot } from './support/tapedeck-cli.js';

const chromiumPath = chromiumFor('mock-link e2e');
const shots = path.join(repoRoot, 'test-results', 'screenshots');

describe.skipIf(!chromiumPath)('the desktop sees the running mock', { timeout: 120_000 }, () => {
  let work: string;
  let dir: string;
  let chats: Call[];
  let desk: Desk;

  beforeAll(async () => {
    assertBuilt();
    work = await mkdtemp(path.join(tmpdir(), 'tapedeck-mock-link-'));
    dir = path.join(work, 'snap');
    await mkdir(shots, { recursive: true });
    chats = await makeChatSnapshot(dir, 40);
    if (chats.length < 3)
      throw new Error(`need 3 OpenAI chat calls, the snapshot has ${chats.length}`);
    desk = await openDesk(chromiumPath as string, dir, path.join(work, 'config'));
  }, 120_000);

  afterAll(async () => {
    await desk?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const page = () => desk.page;
  const mockUrl = () => desk.mock.url;
  const misses = () => page().locator('.miss-item');
  const liveRows = () => page().getByTestId('live-row');

  async function showMisses(): Promise<void> {
    await page()
      .getByRole('tab', { name: /^Misses/ })
      .click();
  }

  it('shows a changed prompt as a miss with the changed word marked, widens the call, and the same request then hits', async () => {
    const call = chats[0] as Call;
    const { body, replaced } = withChangedWord(call, 'zebrafish');
    expect(await send(mockUrl(), body)).not.toBe('hit');

    // The live log shows the miss as it happens, the panel lists it.
    await page().getByRole('tab', { name: 'Live' }).click();
    await liveRows().filter({ hasText: 'miss' }).first().waitFor();
    await expect
      .poll(() =>
        page()
          .getByRole('tab', { name: /^Misses/ })
          .textContent(),
      )
      .toBe('Misses (1)');
    await showMisses();
    await misses().first().click();
    const detail = page().getByTestId('miss-detail');
    await detail.waitFor();
    // Only the changed word is marked, on each side.
    await expect
      .poll(() => detail.getByTestId('miss-request').getByTestId('diff-added').allTextContents())
      .toEqual(['zebrafish']);
    expect(
      await detail.getByTestId('miss-recorded').getByTestId('diff-removed').allTextContents(),
    ).toEqual([replaced]);
    expect(await detail.getByTestId('miss-why').textContent()).toContain('$.messages');
    await page().screenshot({ path: path.join(shots, 'miss-diff.png') });

    await detail.getByRole('button', { name: 'Widen this call' }).click();
    const dialog = page().getByRole('dialog', { name: /Widen this call/ });
    await dialog.getByTestId('fix-summary').waitFor();
    expect(await dialog.getByTestId('fix-summary').textContent()).toMatch(
      /Changes 1 call · fixes 1 miss$/,
    );
    const changes = await dialog.getByTestId('fix-changes').textContent();
    expect(changes).toContain('$.messages');
    expect(changes).toContain('*');
    // The diff editor shows the edit: the widened line is marked as inserted on the right.
    const editor = dialog.getByTestId('fix-diff-editor');
    await editor.locator('.monaco-diff-editor').waitFor();
    await expect
      .poll(() => editor.locator('.modified .line-insert, .modified .char-insert').count())
      .toBeGreaterThan(0);
    await page().screenshot({ path: path.join(shots, 'widen-preview.png') });
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page().getByTestId('fix-saved').waitFor();

    // On disk: the call's signature holds the wildcard the preview showed.
    const saved = JSON.parse(await readFile(path.join(dir, fileOf(call)), 'utf8')) as Call;
    expect(JSON.stringify(saved.signature)).toContain('*');

    // The mock reloads the file; the same request then hits, and the live log says which call.
    await expect.poll(() => send(mockUrl(), body), { timeout: 30_000, interval: 250 }).toBe('hit');
    await page().getByRole('tab', { name: 'Live' }).click();
    const hit = liveRows()
      .filter({ hasText: `#${call.seq} call` })
      .first();
    await hit.waitFor();
    expect(await hit.getAttribute('data-outcome')).toBe('hit');
    // The calls table counts the hit this run.
    await expect
      .poll(() =>
        page()
          .locator(`[role="row"][data-file="${fileOf(call)}"] [data-col="run"]`)
          .textContent(),
      )
      .toBe('1×');
    expect(desk.pageErrors).toEqual([]);
  });

  it('fixes the misses of two calls at once with a rule for every call on the route', async () => {
    await page().getByTestId('mock-status').getByRole('button', { name: 'Reset' }).click();
    await expect
      .poll(() =>
        page()
          .getByRole('tab', { name: /^Misses/ })
          .textContent(),
      )
      .toBe('Misses (0)');
    const [b, c] = [chats[1] as Call, chats[2] as Call];
    const missB = withChangedWord(b, 'aardvark');
    const missC = withChangedWord(c, 'aardvark');
    expect(await send(mockUrl(), missB.body)).not.toBe('hit');
    expect(await send(mockUrl(), missC.body)).not.toBe('hit');
    await expect
      .poll(() =>
        page()
          .getByRole('tab', { name: /^Misses/ })
          .textContent(),
      )
      .toBe('Misses (2)');
    await showMisses();
    await misses().first().click();
    const detail = page().getByTestId('miss-detail');
    await detail.getByRole('button', { name: 'Rule for every call on this route' }).click();
    const dialog = page().getByRole('dialog', { name: /Rule for every call/ });
    await dialog.getByTestId('fix-summary').waitFor();
    expect(await dialog.getByTestId('fix-summary').textContent()).toMatch(/fixes 2 misses$/);
    expect(await dialog.getByTestId('fix-fixes').locator('li').count()).toBe(2);
    await page().screenshot({ path: path.join(shots, 'rule-preview.png') });
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page().getByTestId('fix-saved').waitFor();
    expect(JSON.parse(await readFile(path.join(dir, 'tapedeck.json'), 'utf8'))).toHaveProperty(
      'rules',
    );

    await expect
      .poll(() => send(mockUrl(), missB.body), { timeout: 30_000, interval: 250 })
      .toBe('hit');
    expect(await send(mockUrl(), missC.body)).toBe('hit');
    await page().getByRole('tab', { name: 'Live' }).click();
    await expect
      .poll(async () => (await liveRows().first().getAttribute('data-outcome')) ?? '')
      .toBe('hit');
    expect(desk.pageErrors).toEqual([]);
  });
});
