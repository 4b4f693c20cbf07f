/**
 * The desktop UI in the browser mode, end to end: the real `tapedeck ui` serving the built
 * renderer to Debian's Chromium, a generated snapshot on disk, `tapedeck inspect --json` as the
 * reference for rows and totals, and a running `tapedeck mock` that must answer differently once
 * the UI saved a wildcard signature and a fault.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayRequest } from '../bench/calls.js';
import type { InspectReport } from '../proxy/inspect.js';
import { formatCost } from '../proxy/inspect.js';
import { formatClock, formatTokens, formatTotalCost } from '../renderer/src/lib/format.js';
import { serializeCall } from '../proxy/store/snapshot-store.js';
import type { Call } from '../shared/schema.js';
import { toolCallsOf } from '../shared/tool-calls/index.js';
import { formatMoney } from '../renderer/src/lib/format.js';
import { columns } from '../renderer/src/calls/table-model.js';
import { modelCatalog, project, repriceRows } from '../renderer/src/lib/pricing.js';
import type { CallSummary } from '../shared/totals.js';
import { launchChromium, type Browser } from './support/chromium.js';
import { chromiumFor } from './support/require-chromium.js';
import { ASSEMBLERS, argsValue } from '../test/support/tool-call-wire.js';
import {
  BROKEN_FILE,
  addCalls,
  makeSnapshot,
  makeToolReplySnapshot,
  readCall,
  writeAtomically,
} from './support/snapshot.js';
import {
  assertBuilt,
  repoRoot,
  runTapedeck,
  startTapedeck,
  type Running,
} from './support/tapedeck-cli.js';

const chromiumPath = chromiumFor('browser e2e');

const CALLS = 40;
const shots = path.join(repoRoot, 'test-results', 'screenshots');

describe.skipIf(!chromiumPath)('tapedeck ui in Chromium', { timeout: 60_000 }, () => {
  let work: string;
  let dir: string;
  let configDir: string;
  let ui: Running;
  let mock: Running;
  let browser: Browser;
  let page: Page;
  let report: InspectReport;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    assertBuilt();
    work = await mkdtemp(path.join(tmpdir(), 'tapedeck-e2e-'));
    dir = path.join(work, 'snap');
    configDir = path.join(work, 'config');
    await mkdir(shots, { recursive: true });
    await makeSnapshot(dir, CALLS);
    const inspected = await runTapedeck(['inspect', dir, '--json']);
    report = JSON.parse(inspected.stdout) as InspectReport;
    const env = { TAPEDECK_CONFIG_DIR: configDir };
    ui = await startTapedeck(['ui', dir, '--port', '0', '--no-open'], env);
    mock = await startTapedeck(['mock', dir, '--port', '0', '--timing', 'instant'], env);
    // Tall enough that all the generated rows are rendered (the table is virtualized).
    browser = await launchChromium(chromiumPath as string, { width: 1500, height: 1500 });
    // A failing step then names itself instead of running into the test's timeout.
    browser.context.setDefaultTimeout(15_000);
    page = await browser.context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(ui.url);
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: new URL(ui.url).origin,
    });
    await page.locator('.call-row').first().waitFor({ timeout: 30_000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([ui?.stop(), mock?.stop()]);
    if (work) await rm(work, { recursive: true, force: true });
  });

  const grid = () => page.getByRole('grid', { name: 'calls' });
  const row = (file: string) => grid().locator(`[role="row"][data-file="${file}"]`);
  const visibleFiles = () =>
    grid()
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
  const editorFor = (schema: string) =>
    page.locator(`.monaco-host[data-uri^="tapedeck://${schema}.schema/"]`);

  // Pasted, as a person would: typed text would be auto-indented and auto-closed by Monaco.
  async function replaceEditorText(editor: Locator, text: string): Promise<void> {
    const page = editor.page();
    await editor.locator('.view-lines').click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.evaluate((t) => {
      type Clipboard = { writeText(text: string): Promise<void> };
      return (
        globalThis as unknown as { navigator: { clipboard: Clipboard } }
      ).navigator.clipboard.writeText(t);
    }, text);
    await page.keyboard.press('ControlOrMeta+V');
  }

  async function openCall(file: string): Promise<void> {
    await row(file).click();
    await expect.poll(() => page.locator('.doc-path').textContent()).toBe(file);
  }

  function call(seq: number): CallSummary {
    const c = report.calls.find((x) => x.seq === seq);
    if (!c) throw new Error(`no call #${seq}`);
    return c;
  }

  it('shows every call and the totals that `tapedeck inspect --json` reports', async () => {
    expect(report.calls).toHaveLength(CALLS);
    await expect.poll(() => grid().getAttribute('aria-rowcount')).toBe(String(CALLS));
    expect(await visibleFiles()).toEqual(report.calls.map((c) => c.file));

    for (const c of report.calls) {
      const text = async (col: string) =>
        (await row(c.file).locator(`[role="gridcell"][data-col="${col}"]`).textContent()) ?? '';
      expect(await text('seq')).toBe(String(c.seq));
      expect(await text('time')).toBe(formatClock(c.recordedAt));
      expect(await text('provider')).toBe(c.provider);
      expect(await text('model')).toBe(c.model ?? '—');
      expect(await text('request')).toBe(`${c.method} ${c.path}`);
      expect(await text('status')).toContain(String(c.status));
      expect(await text('stream')).toBe(c.stream ? 'SSE' : '');
      const count = (n: number) => n.toLocaleString('en-US');
      expect(await text('input')).toBe(formatTokens(c.inputTokens, c.usageSource, count));
      expect(await text('output')).toBe(formatTokens(c.outputTokens, c.usageSource, count));
      expect(await text('cost')).toBe(formatCost(c.costUsd));
    }

    const failed = row(call(5).file);
    await expect.poll(() => failed.getAttribute('class')).toMatch(/is-error/);
    await expect.poll(() => failed.getAttribute('class')).toMatch(/has-fault/);

    const totals = page.locator('[data-totals="all"]');
    expect(Number(await totals.getAttribute('data-calls'))).toBe(report.totals.calls);
    expect(Number(await totals.getAttribute('data-input'))).toBe(report.totals.inputTokens);
    expect(Number(await totals.getAttribute('data-output'))).toBe(report.totals.outputTokens);
    expect(Number(await totals.getAttribute('data-cost'))).toBeCloseTo(
      report.totals.costUsd ?? NaN,
      12,
    );
    expect(await totals.textContent()).toContain(formatTotalCost(report.totals));

    await page.getByRole('button', { name: 'By provider & model' }).click();
    for (const [name, bucket] of Object.entries(report.totals.byModel)) {
      const line = page.locator(`.breakdown tr[data-bucket="${name}"]`);
      expect(await line.textContent()).toContain(formatTotalCost(bucket));
    }
    await page.getByRole('button', { name: 'By provider & model' }).click();
    await page.screenshot({ path: path.join(shots, 'table.png') });
  });

  it('has an app icon: the page links it and `tapedeck ui` serves it, /favicon.ico included', async () => {
    const origin = new URL(ui.url).origin;
    const linked = await page
      .locator('link[rel~="icon"]')
      .evaluateAll((links) => links.map((l) => (l as HTMLLinkElement).href));
    expect(linked.length).toBeGreaterThan(0);
    const magic: Record<string, (b: Buffer) => boolean> = {
      'image/x-icon': (b) => b.readUInt16LE(0) === 0 && b.readUInt16LE(2) === 1,
      'image/png': (b) => b.subarray(0, 8).equals(Buffer.from('\x89PNG\r\n\x1a\n', 'latin1')),
      'image/svg+xml': (b) => /<svg[\s>]/.test(b.toString('utf8')),
    };
    for (const href of new Set([...linked, `${origin}/favicon.ico`])) {
      // The page's own request context: the session cookie goes along, as with the browser's.
      const res = await page.request.get(href);
      expect(res.status(), href).toBe(200);
      const type = res.headers()['content-type'] ?? '';
      expect(type, href).toMatch(/^image\//);
      const check = magic[type.split(';')[0] ?? ''];
      expect(check?.(await res.body()), `${href} is the ${type} it says`).toBe(true);
    }
  });

  it('shows the tool calls of a reply in the overview, for every family, streamed or not', async () => {
    const toolsDir = path.join(work, 'tool-replies');
    const cases = await makeToolReplySnapshot(toolsDir);
    const tools = await startTapedeck(['ui', toolsDir, '--port', '0', '--no-open'], {
      TAPEDECK_CONFIG_DIR: configDir,
    });
    const p = await browser.context.newPage();
    try {
      await p.setViewportSize({ width: 1400, height: 1000 });
      await p.goto(tools.url);
      await p.locator('.call-row').first().waitFor({ timeout: 30_000 });
      for (const c of cases) {
        await p.locator(`.call-row[data-file="${c.file}"]`).click();
        await expect.poll(() => p.locator('.doc-path').textContent()).toBe(c.file);
        // What a client assembles from the recorded reply, read independently of shared/tool-calls.
        const expected = ASSEMBLERS[c.family](c.call.response);
        expect(expected.calls.length).toBeGreaterThan(0);
        const reply = p.getByRole('group', { name: 'reply' });
        const shown = reply.locator('[data-tool-call]');
        await expect.poll(() => shown.count(), { message: c.file }).toBe(expected.calls.length);
        for (const [i, want] of expected.calls.entries()) {
          const one = shown.nth(i);
          expect(await one.locator('.tool-name').textContent()).toBe(want.name);
          const args = (await one.locator('.tool-args').textContent()) ?? '';
          expect(JSON.parse(args), `${c.file} call ${i}`).toEqual(argsValue(want.args));
        }
        const text = reply.locator('.reply-text');
        if (c.text) expect(await text.textContent()).toBe(expected.text);
        else expect(await text.count()).toBe(0);
        expect(await reply.textContent()).not.toContain('(no text)');
      }
      for (const scheme of ['light', 'dark'] as const) {
        await p.emulateMedia({ colorScheme: scheme });
        await p.screenshot({ path: path.join(shots, `reply-tool-calls-${scheme}.png`) });
      }
      expect(pageErrors).toEqual([]);
    } finally {
      await p.close();
      await tools.stop();
    }
  });

  it('projects the cost per day and prices the run on another model', async () => {
    await page.getByRole('button', { name: 'Cost projection' }).click();
    const panel = page.getByLabel('cost projection');
    await panel.getByLabel('runs per day').fill('250');
    const recorded = project(report.totals.costUsd ?? NaN, 250);
    const asRecorded = panel.locator('[data-projection="recorded"]');
    await expect
      .poll(() => asRecorded.locator('[data-per="day"]').textContent())
      .toBe(formatMoney(recorded.perDay));
    expect(await asRecorded.locator('[data-per="year"]').textContent()).toBe(
      formatMoney(recorded.perYear),
    );

    const choice = modelCatalog().find((m) => m.key === 'anthropic/claude-3-5-haiku-latest');
    if (!choice) throw new Error('claude-3-5-haiku-latest is not in the price table');
    await panel.getByLabel('what-if model').fill(choice.key);
    const whatIf = repriceRows(report.calls, choice);
    if (!whatIf) throw new Error(`no price for ${choice.key}`);
    await expect
      .poll(() => panel.locator('[data-projection="what-if"] [data-per="run"]').textContent())
      .toBe(formatMoney(whatIf.costUsd));
    await page.getByRole('button', { name: 'Cost projection' }).click();
  });

  it('follows an edit of the prices in tapedeck.json: rows, totals and projection (issue #8.6)', async () => {
    const manifestFile = path.join(dir, 'tapedeck.json');
    const original = await readFile(manifestFile, 'utf8');
    const model = report.calls.find((c) => c.model !== null && c.costSource !== 'provider')?.model;
    if (!model) throw new Error('the generated snapshot has no table-priced call');
    const prices = { [model]: { inputMtok: 1000, outputMtok: 2000 } };
    await writeAtomically(
      manifestFile,
      JSON.stringify({ ...(JSON.parse(original) as object), prices }, null, 2) + '\n',
    );
    try {
      const repriced = JSON.parse(
        (await runTapedeck(['inspect', dir, '--json'])).stdout,
      ) as InspectReport;
      expect(repriced.totals.costUsd).not.toBe(report.totals.costUsd);
      const totals = page.locator('[data-totals="all"]');
      await expect
        .poll(async () => Number(await totals.getAttribute('data-cost')))
        .toBeCloseTo(repriced.totals.costUsd ?? NaN, 12);
      for (const c of repriced.calls.filter((x) => x.model === model)) {
        const cell = row(c.file).locator('[role="gridcell"][data-col="cost"]');
        expect(await cell.textContent()).toBe(formatCost(c.costUsd));
      }
      await page.getByRole('button', { name: 'Cost projection' }).click();
      const perRun = page.locator('[data-projection="recorded"] [data-per="run"]');
      await expect
        .poll(() => perRun.textContent())
        .toBe(formatMoney(repriced.totals.costUsd ?? NaN));
      await page.getByRole('button', { name: 'Cost projection' }).click();
    } finally {
      await writeAtomically(manifestFile, original);
    }
    const totals = page.locator('[data-totals="all"]');
    await expect
      .poll(async () => Number(await totals.getAttribute('data-cost')))
      .toBeCloseTo(report.totals.costUsd ?? NaN, 12);
  });

  it('marks the broken file as an error row with its reason and line', async () => {
    expect(report.errors.map((e) => e.file)).toEqual([BROKEN_FILE]);
    const [error] = report.errors;
    expect(error?.line).toBeGreaterThan(0);
    const errorRow = grid().locator(`.error-row[data-file="${BROKEN_FILE}"]`);
    await expect.poll(() => errorRow.textContent()).toContain(`${BROKEN_FILE}:${error?.line}`);
    expect(await errorRow.textContent()).toContain(error?.reason);
  });

  /** Where the calls table's parts are, in viewport px, at the grid's current scroll position. */
  function tableLayout(p: Page) {
    return p.getByRole('grid', { name: 'calls' }).evaluate((el) => {
      const grid = el as HTMLElement;
      const box = (e: Element | null) => {
        if (!e) return null;
        const r = e.getBoundingClientRect();
        return { left: r.left, right: r.right };
      };
      const g = grid.getBoundingClientRect();
      const style = getComputedStyle(grid);
      const borderY = parseFloat(style.borderTopWidth) + parseFloat(style.borderBottomWidth);
      return {
        view: {
          left: g.left + grid.clientLeft,
          right: g.left + grid.clientLeft + grid.clientWidth,
        },
        maxScroll: grid.scrollWidth - grid.clientWidth,
        /** The height of a horizontal scrollbar drawn at the bottom of the grid; 0 when there is none. */
        scrollbar: grid.offsetHeight - borderY - grid.clientHeight,
        header: box(grid.querySelector('.header-row')),
        cost: box(grid.querySelector('[role="columnheader"][data-col="cost"]')),
        bands: Array.from(grid.querySelectorAll('.error-row')).map(box),
        columns: Array.from(grid.querySelectorAll('[role="columnheader"][data-col]')).map(
          (h) => h.getAttribute('data-col') ?? '',
        ),
      };
    });
  }

  const scrollGrid = (p: Page, to: 'start' | 'end') =>
    p.getByRole('grid', { name: 'calls' }).evaluate((g, end) => {
      g.scrollLeft = end ? g.scrollWidth : 0;
    }, to === 'end');

  /**
   * The error band covers the rows across the whole visible width of the table at both ends of a
   * sideways scroll; the cost column is on screen without scrolling (`fits`) or reachable through
   * a scrollbar the user can see.
   */
  async function expectUsable(p: Page, label: string, fits: boolean): Promise<void> {
    await scrollGrid(p, 'start');
    const start = await tableLayout(p);
    const cost = start.cost;
    if (!cost || !start.header) throw new Error(`${label}: no Cost column header`);
    if (fits) {
      expect(cost.right, `${label}: Cost on screen`).toBeLessThanOrEqual(start.view.right + 0.5);
    } else {
      expect(start.maxScroll, `${label}: the table scrolls sideways`).toBeGreaterThan(0);
      expect(start.scrollbar, `${label}: with a visible scrollbar`).toBeGreaterThan(0);
    }
    for (const at of ['start', 'end'] as const) {
      await scrollGrid(p, at);
      const l = await tableLayout(p);
      if (!l.header || !l.cost) throw new Error(`${label}: no header`);
      expect(l.bands.length, label).toBe(1);
      for (const band of l.bands) {
        if (!band) continue;
        const where = `${label}, scrolled to the ${at}: error band`;
        expect(band.left, where).toBeLessThanOrEqual(Math.max(l.header.left, l.view.left) + 0.5);
        expect(band.right, where).toBeGreaterThanOrEqual(
          Math.min(l.header.right, l.view.right) - 0.5,
        );
      }
      if (at === 'end') {
        expect(l.cost.right, `${label}: Cost reachable`).toBeLessThanOrEqual(l.view.right + 0.5);
        expect(l.cost.left, `${label}: Cost reachable`).toBeGreaterThanOrEqual(l.view.left - 0.5);
      }
    }
    await scrollGrid(p, 'start');
  }

  async function shoot(p: Page, name: string): Promise<void> {
    for (const scheme of ['light', 'dark'] as const) {
      await p.emulateMedia({ colorScheme: scheme });
      await p.screenshot({ path: path.join(shots, `${name}-${scheme}.png`) });
    }
    await p.emulateMedia({ colorScheme: 'light' });
  }

  it('keeps the table usable from 1000 px up, with the detail pane open or closed', async () => {
    const pages: Page[] = [];
    try {
      for (const width of [1000, 1600]) {
        const p = await browser.context.newPage();
        pages.push(p);
        await p.setViewportSize({ width, height: 900 });
        await p.goto(ui.url);
        await p.locator('.call-row').first().waitFor({ timeout: 30_000 });
        await expectUsable(p, `${width} px, detail closed`, true);
        await shoot(p, `table-${width}-closed`);
        await p.locator(`.call-row[data-file="${call(3).file}"]`).click();
        await expect.poll(() => p.locator('.doc-path').textContent()).toBe(call(3).file);
        await expectUsable(p, `${width} px, detail open`, true);
        await shoot(p, `table-${width}-open`);
      }

      // The window narrows with the pane open: the pane gives way before the table does.
      const wide = pages[1] as Page;
      await wide.setViewportSize({ width: 1000, height: 900 });
      await expect.poll(async () => (await tableLayout(wide)).columns).toContain('cost');
      await expectUsable(wide, '1600 px narrowed to 1000 px, detail open', true);

      // Every column at once: the table scrolls sideways, and says so with its scrollbar.
      const narrow = pages[0] as Page;
      const hidden = (await tableLayout(narrow)).columns;
      // Every column of the table model: a mock serves the folder, so its Run column shows too.
      expect(hidden.length).toBeLessThan(columns.length);
      await narrow.getByRole('button', { name: /^show \d+ hidden columns?/ }).click();
      await expect
        .poll(async () => (await tableLayout(narrow)).columns.length)
        .toBe(columns.length);
      await expectUsable(narrow, '1000 px, all columns', false);
      await scrollGrid(narrow, 'end');
      await shoot(narrow, 'table-1000-all-columns');
      await narrow.getByRole('button', { name: 'fit the columns to the width' }).click();
      await expect.poll(async () => (await tableLayout(narrow)).columns).toEqual(hidden);
    } finally {
      for (const p of pages) await p.close();
    }
  });

  it('sorts by a column and filters by provider, status and text', async () => {
    const byCost = [...report.calls].sort(
      (a, b) => (a.costUsd ?? -1) - (b.costUsd ?? -1) || a.seq - b.seq,
    );
    const header = grid().getByRole('columnheader').filter({ hasText: 'Cost' });
    await header.getByRole('button').click();
    const first = await header.getAttribute('aria-sort');
    const expectedFirst = first === 'ascending' ? byCost : [...byCost].reverse();
    expect(await visibleFiles()).toEqual(expectedFirst.map((c) => c.file));
    await header.getByRole('button').click();
    expect(await header.getAttribute('aria-sort')).not.toBe(first);
    expect(await visibleFiles()).toEqual([...expectedFirst].reverse().map((c) => c.file));
    // The third click (or the one after) drops the sort: back to capture order.
    for (let i = 0; i < 3 && (await header.getAttribute('aria-sort')) !== 'none'; i++) {
      await header.getByRole('button').click();
    }
    expect(await visibleFiles()).toEqual(report.calls.map((c) => c.file));

    const anthropic = report.calls.filter((c) => c.provider === 'anthropic');
    await page.getByLabel('provider', { exact: true }).selectOption('anthropic');
    await expect.poll(() => visibleFiles()).toEqual(anthropic.map((c) => c.file));
    const filtered = page.locator('[data-totals="filtered"]');
    expect(Number(await filtered.getAttribute('data-calls'))).toBe(anthropic.length);
    expect(Number(await filtered.getAttribute('data-cost'))).toBeCloseTo(
      anthropic.reduce((s, c) => s + (c.costUsd ?? 0), 0),
      12,
    );
    await page.getByLabel('provider', { exact: true }).selectOption('');

    await page.getByLabel('status', { exact: true }).selectOption('errors');
    await expect.poll(() => visibleFiles()).toEqual([call(5).file]);
    await page.getByLabel('status', { exact: true }).selectOption('');

    const grok = report.calls.filter((c) => c.model?.includes('grok'));
    expect(grok.length).toBeGreaterThan(0);
    await page.getByLabel('search calls').fill('grok');
    await expect.poll(() => visibleFiles()).toEqual(grok.map((c) => c.file));
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => grid().getAttribute('aria-rowcount')).toBe(String(CALLS));
  });

  it('moves with the arrow keys and opens the detail with Enter', async () => {
    await grid().focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.doc-path').textContent()).toBe(call(3).file);
    const detail = page.getByRole('complementary', { name: 'detail' });
    await expect.poll(() => detail.textContent()).toContain('Request #3:');
    expect(await detail.textContent()).toContain(call(3).model ?? '');
    await page.screenshot({ path: path.join(shots, 'detail.png') });
  });

  // The OpenAI chat call the edits are made on: not streamed, not the failed #5.
  const target = () =>
    report.calls.find(
      (c) => c.api === 'chat.completions' && c.upstream === 'openai' && !c.stream && c.seq !== 5,
    ) as CallSummary;

  async function askMock(body: (original: Record<string, unknown>) => unknown) {
    const recorded = await readCall(dir, target().file);
    const req = replayRequest(recorded, mock.url);
    const original = JSON.parse(req.body ?? '{}') as Record<string, unknown>;
    return fetch(req.url, {
      method: req.method,
      headers: req.headers,
      body: JSON.stringify(body(original)),
    });
  }

  const withOtherPrompt = (original: Record<string, unknown>) => ({
    ...original,
    messages: [
      (original['messages'] as unknown[])[0],
      { role: 'user', content: 'a prompt nobody recorded' },
    ],
  });

  it('edits the signature to a wildcard, flags a schema error, saves, and the mock matches it', async () => {
    const before = await askMock(withOtherPrompt);
    expect(before.status).toBe(404);

    await openCall(target().file);
    await page.getByRole('tab', { name: 'Signature' }).click();
    const editor = editorFor('signature');
    await editor.locator('.view-lines').waitFor({ timeout: 30_000 });
    const recorded = await readCall(dir, target().file);
    const signature = structuredClone(recorded.signature) as {
      method?: unknown;
      body: { messages: { content: string }[] };
    };

    await replaceEditorText(editor, JSON.stringify({ ...signature, method: 5 }, null, 2));
    const problems = page.getByRole('region', { name: 'problems' });
    await expect
      .poll(() => problems.textContent(), { timeout: 15_000 })
      .toMatch(/Signature \d+:\d+.*string/);
    await expect.poll(() => page.locator('.dirty').count()).toBe(1);
    await page.screenshot({ path: path.join(shots, 'editor.png') });
    // Saving anyway: the host refuses, says why, and the file stays as it was.
    await page.keyboard.press('ControlOrMeta+S');
    await expect.poll(() => problems.textContent()).toMatch(/not saved.*signature\.method/);
    expect((await readCall(dir, target().file)).signature.method).toBe('POST');

    (signature.body.messages[1] as { content: string }).content = '*';
    await replaceEditorText(editor, JSON.stringify(signature, null, 2));
    await expect.poll(() => problems.textContent(), { timeout: 15_000 }).toContain('No problems');
    await page.keyboard.press('ControlOrMeta+S');
    await expect.poll(() => page.locator('.saved-note').textContent()).toBe('Saved');

    const saved = await readCall(dir, target().file);
    expect((saved.signature.body as { messages: { content: string }[] }).messages[1]?.content).toBe(
      '*',
    );
    expect(saved.response).toEqual(recorded.response);

    let answer: Response | undefined;
    await expect
      .poll(
        async () => {
          answer = await askMock(withOtherPrompt);
          return answer.status;
        },
        { timeout: 15_000, interval: 250 },
      )
      .toBe(200);
    expect(answer?.headers.get('x-tapedeck-call')).toBe(target().id);
  });

  it('adds a fault in the faults editor, saves it, and the mock injects it', async () => {
    await page.getByRole('tab', { name: 'Faults' }).click();
    const editor = editorFor('faults');
    await editor.locator('.view-lines').waitFor({ timeout: 30_000 });
    await replaceEditorText(editor, '[\n  { "kind": "serverError", "status": 503 }\n]');
    const problems = page.getByRole('region', { name: 'problems' });
    await expect.poll(() => problems.textContent(), { timeout: 15_000 }).toContain('No problems');
    await page.keyboard.press('ControlOrMeta+S');
    await expect.poll(() => page.locator('.saved-note').textContent()).toBe('Saved');

    expect((await readCall(dir, target().file)).faults).toEqual([
      { kind: 'serverError', status: 503 },
    ]);
    await expect.poll(() => row(target().file).getAttribute('class')).toMatch(/has-fault/);
    let answer: Response | undefined;
    await expect
      .poll(
        async () => {
          answer = await askMock((o) => o);
          return answer.status;
        },
        { timeout: 15_000, interval: 250 },
      )
      .toBe(503);
    expect(answer?.headers.get('x-tapedeck-fault')).toBe('serverError');
  });

  it('asks before leaving unsaved edits, keeps them through live reload, and asks on disk changes', async () => {
    const editor = editorFor('faults');
    const mine = '[\n  { "kind": "serverError", "status": 502 }\n]';
    await replaceEditorText(editor, mine);
    await expect.poll(() => page.locator('.dirty').count()).toBe(1);

    // Leaving the file: asked, and Cancel stays.
    const other = report.calls.find((c) => c.file !== target().file) as CallSummary;
    await row(other.file).click();
    const guard = page.getByRole('alertdialog');
    await expect.poll(() => guard.textContent()).toContain('Unsaved edits');
    await guard.getByRole('button', { name: 'Cancel' }).click();
    expect(await page.locator('.doc-path').textContent()).toBe(target().file);
    // Cursor and selection stay on the row being edited, not on the row that was clicked.
    const onRow = async (file: string) => {
      const r = row(file);
      const classes = (await r.getAttribute('class')) ?? '';
      return {
        cursor: /\bcursor\b/.test(classes),
        selected: await r.getAttribute('aria-selected'),
      };
    };
    expect(await onRow(target().file)).toEqual({ cursor: true, selected: 'true' });
    expect(await onRow(other.file)).toEqual({ cursor: false, selected: 'false' });
    // The same when the cursor got there with the keyboard and Esc answers.
    await grid().focus();
    await page.keyboard.press(target().seq === 1 ? 'ArrowDown' : 'ArrowUp');
    expect((await onRow(target().file)).cursor).toBe(false);
    await page.keyboard.press('Enter');
    await expect.poll(() => guard.textContent()).toContain('Unsaved edits');
    await page.keyboard.press('Escape');
    await expect.poll(() => guard.count()).toBe(0);
    expect(await onRow(target().file)).toEqual({ cursor: true, selected: 'true' });

    // A writer adds calls: rows appear, the selection and the unsaved edit stay.
    const added = await addCalls(dir, CALLS + 1, 5);
    await expect
      .poll(() => grid().getAttribute('aria-rowcount'), { timeout: 10_000 })
      .toBe(String(CALLS + 5));
    await grid().focus();
    await page.keyboard.press('End');
    await expect.poll(() => row(added[added.length - 1] as string).count()).toBe(1);
    expect(await row(target().file).getAttribute('aria-selected')).toBe('true');
    expect(await page.locator('.dirty').count()).toBe(1);
    expect(await page.locator('.doc-path').textContent()).toBe(target().file);

    // Someone else writes the open file: asked; keeping mine makes the save a conflict, never silent.
    const file = path.join(dir, target().file);
    const theirs = await readCall(dir, target().file);
    theirs.response.headers['x-edited-by'] = 'someone else';
    await writeAtomically(file, serializeCall(theirs));
    const banner = page.getByRole('alert').filter({ hasText: 'changed on disk' });
    await banner.waitFor({ timeout: 10_000 });
    await banner.getByRole('button', { name: 'Keep mine' }).click();
    await editor.locator('.view-lines').click();
    await page.keyboard.press('ControlOrMeta+S');
    const conflict = page.getByRole('alertdialog');
    await expect.poll(() => conflict.textContent()).toContain('changed on disk');
    expect((await readCall(dir, target().file)).response.headers['x-edited-by']).toBe(
      'someone else',
    );
    await conflict.getByRole('button', { name: 'Overwrite with mine' }).click();
    await expect.poll(() => page.locator('.saved-note').textContent()).toBe('Saved');
    const overwritten = await readCall(dir, target().file);
    expect(overwritten.faults).toEqual([{ kind: 'serverError', status: 502 }]);

    // Again with unsaved edits, and this time reload theirs.
    await replaceEditorText(editor, '[]');
    await expect.poll(() => page.locator('.dirty').count()).toBe(1);
    overwritten.faults = [{ kind: 'serverError', status: 500 }];
    await writeAtomically(file, serializeCall(overwritten));
    await banner.waitFor({ timeout: 10_000 });
    await banner.getByRole('button', { name: /Reload theirs/ }).click();
    await expect.poll(() => page.locator('.dirty').count()).toBe(0);
    expect((await readCall(dir, target().file)).faults).toEqual([
      { kind: 'serverError', status: 500 },
    ]);
  });

  it('opens the broken file in the editor and saving the fix turns it into a call row', async () => {
    await grid().locator(`.error-row[data-file="${BROKEN_FILE}"]`).click();
    await expect.poll(() => page.locator('.doc-path').textContent()).toBe(BROKEN_FILE);
    const editor = editorFor('call');
    await editor.locator('.view-lines').waitFor({ timeout: 30_000 });
    // The editor opens where the file broke, not at its first line.
    const line = report.errors[0]?.line;
    expect(line).toBeGreaterThan(1);
    await expect
      .poll(() => editor.locator('.line-numbers.active-line-number').textContent())
      .toBe(String(line));
    const fixed: Call = { ...(await readCall(dir, call(1).file)), id: 'c_fixed', seq: 900 };
    await replaceEditorText(editor, serializeCall(fixed));
    const problems = page.getByRole('region', { name: 'problems' });
    await expect.poll(() => problems.textContent(), { timeout: 15_000 }).toContain('No problems');
    await page.keyboard.press('ControlOrMeta+S');
    await expect.poll(() => page.locator('.saved-note').textContent()).toBe('Saved');
    await expect.poll(() => grid().locator('.error-row').count()).toBe(0);
    await expect.poll(() => grid().getAttribute('aria-rowcount')).toBe(String(CALLS + 6));
    expect(JSON.parse(await readFile(path.join(dir, BROKEN_FILE), 'utf8'))).toMatchObject({
      id: 'c_fixed',
      seq: 900,
    });
  });

  it('asks before the page closes with unsaved edits', async () => {
    await openCall(target().file);
    await page.getByRole('tab', { name: 'Faults' }).click();
    await replaceEditorText(editorFor('faults'), '[]');
    await expect.poll(() => page.locator('.dirty').count()).toBe(1);
    const dialog = page.waitForEvent('dialog');
    await page.close({ runBeforeUnload: true });
    const d = await dialog;
    expect(d.type()).toBe('beforeunload');
    await d.dismiss();
    expect(page.isClosed()).toBe(false);
    expect(pageErrors).toEqual([]);
  });

  it('starts on the start page without a folder and opens one by path', async () => {
    const bare = await startTapedeck(['ui', '--port', '0', '--no-open'], {
      TAPEDECK_CONFIG_DIR: configDir,
    });
    try {
      const start = await browser.context.newPage();
      await start.goto(bare.url);
      await start.getByRole('heading', { name: 'Tapedeck' }).waitFor();
      await start.getByRole('button', { name: 'Open the sample snapshot' }).waitFor();
      // The folder opened earlier in this run is now a recent folder.
      await expect.poll(() => start.locator('.recent').textContent()).toContain(path.basename(dir));
      await start.screenshot({ path: path.join(shots, 'start-page.png') });

      await start.keyboard.press('ControlOrMeta+O');
      const browserDialog = start.getByRole('dialog', { name: 'open a snapshot folder' });
      await expect.poll(() => browserDialog.getByLabel('folder path').inputValue()).not.toBe('');
      await browserDialog.getByRole('button', { name: 'Cancel' }).click();

      await start.getByLabel('snapshot folder path').fill(dir);
      await start.getByRole('button', { name: 'Open', exact: true }).click();
      await start.locator('.call-row').first().waitFor({ timeout: 30_000 });
      await expect
        .poll(() => start.getByRole('grid', { name: 'calls' }).getAttribute('aria-rowcount'))
        .toBe(String(CALLS + 6));
      await start.close();
    } finally {
      await bare.stop();
    }
  });

  it('opens the bundled sample and edits a tool call, written back in its wire format', async () => {
    const bare = await startTapedeck(['ui', '--port', '0', '--no-open'], {
      TAPEDECK_CONFIG_DIR: configDir,
    });
    try {
      const sample = await browser.context.newPage();
      await sample.goto(bare.url);
      await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
        origin: new URL(bare.url).origin,
      });
      await sample.getByRole('button', { name: 'Open the sample snapshot' }).click();
      await sample.locator('.call-row').first().waitFor({ timeout: 30_000 });
      const sampleDir = (await sample.locator('.folder-name').getAttribute('title')) ?? '';
      const files = await sample
        .locator('.call-row')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-file') ?? ''));
      let file: string | undefined;
      for (const f of files) {
        if (toolCallsOf(await readCall(sampleDir, f)).length > 0) {
          file = f;
          break;
        }
      }
      if (!file) throw new Error('the bundled sample has no call with tool calls');
      const recorded = toolCallsOf(await readCall(sampleDir, file));

      await sample.locator(`.call-row[data-file="${file}"]`).click();
      await sample.getByRole('tab', { name: 'Tool calls' }).click();
      const editor = sample.locator('.monaco-host[data-uri^="tapedeck://tools.schema/"]');
      await editor.locator('.view-lines').waitFor({ timeout: 30_000 });
      const args = { city: 'Reykjavik', unit: 'kelvin' };
      const parsedOrText = (text: string): unknown => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          return text;
        }
      };
      const edited = recorded.map((v, i) => ({
        ...v,
        arguments: i === 0 ? args : parsedOrText(v.arguments),
      }));
      await replaceEditorText(editor, JSON.stringify(edited, null, 2));
      const problems = sample.getByRole('region', { name: 'problems' });
      await expect.poll(() => problems.textContent(), { timeout: 15_000 }).toContain('No problems');
      await sample.keyboard.press('ControlOrMeta+S');
      await expect.poll(() => sample.locator('.saved-note').textContent()).toBe('Saved');

      const saved = toolCallsOf(await readCall(sampleDir, file));
      expect(saved).toHaveLength(recorded.length);
      expect(JSON.parse(saved[0]?.arguments ?? '')).toEqual(args);
      expect(saved.slice(1)).toEqual(recorded.slice(1));
      await sample.close();
    } finally {
      await bare.stop();
    }
  });
});
