/**
 * The desktop's live request log under load: 1,000 requests/s into `tapedeck mock` for 20 s,
 * once with no UI and once with `tapedeck ui` open on the same folder in Chromium, the Live tab
 * showing. What a connected UI costs the mock (throughput at the fixed rate and unthrottled, as
 * ratios to no UI; unthrottled also with a bare live-link client, which separates what the mock
 * spends on the link from the CPU Chromium takes on a small machine), how long a request takes to
 * appear on screen (p95, request arrival to the first frame showing its row), and the page's long
 * tasks and frame times.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import {
  ANNOUNCE_FILE,
  LIVE_PREFIX,
  TOKEN_HEADER,
  type MockAnnouncement,
} from '../shared/mock-link.js';
import { Call } from '../shared/schema.js';
import { findChromium, launchChromium, skipMessage } from '../e2e/support/chromium.js';
import { replayRequest } from './calls.js';
import { spawnChild, type Child } from './child.js';
import type { Figure, FigureContext } from './figure.js';
import { chatCompletionCall } from './fixtures.js';
import { keepAliveAgent, send } from './http.js';
import { assertClean, runLoad, type LoadResult } from './load.js';
import { cliPath, repoRoot } from './paths.js';
import { atLeast, atMost, fmt, row, say } from './report.js';
import { writeSnapshot } from './snapshot-gen.js';
import { percentile } from './stats.js';
import { startTapedeck } from './tapedeck.js';

const FIGURE = 'live-log';
const RATE = 1000;
const CONNECTIONS = 10;

/** Browser globals the page-side functions use (sent as text; see ui-open.ts). */
interface PageRow {
  getAttribute(name: string): string | null;
}
interface PageGlobals {
  document: { querySelectorAll(selector: string): ArrayLike<PageRow> };
  requestAnimationFrame(callback: (time: number) => void): number;
  PerformanceObserver: new (
    callback: (list: { getEntries(): Array<{ duration: number }> }) => void,
  ) => {
    observe(options: { type: string; buffered: boolean }): void;
  };
  __live?: { behind: number[]; frames: number[]; longTasks: number[]; on: boolean };
}

/**
 * Each frame: every live-log row on screen for the first time is measured from its request's
 * arrival (`data-time`, the mock's clock, the same machine's) to now; plus the frame's length and
 * the long tasks.
 */
function watchLive(): void {
  const g = globalThis as unknown as PageGlobals;
  const live = {
    behind: [] as number[],
    frames: [] as number[],
    longTasks: [] as number[],
    on: false,
  };
  g.__live = live;
  new g.PerformanceObserver((list) => {
    if (live.on) for (const e of list.getEntries()) live.longTasks.push(e.duration);
  }).observe({ type: 'longtask', buffered: false });
  const seen = new Set<string>();
  let last = 0;
  const frame = (t: number) => {
    if (live.on) {
      if (last > 0) live.frames.push(t - last);
      const now = Date.now();
      const rows = g.document.querySelectorAll('[data-testid="live-row"]');
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i] as PageRow;
        const id = row.getAttribute('data-id') ?? '';
        if (seen.has(id)) continue;
        seen.add(id);
        live.behind.push(now - Number(row.getAttribute('data-time')));
      }
    }
    last = t;
    g.requestAnimationFrame(frame);
  };
  g.requestAnimationFrame(frame);
}

async function setWatching(page: Page, on: boolean): Promise<void> {
  await page.evaluate((value) => {
    const g = globalThis as unknown as PageGlobals;
    if (g.__live) g.__live.on = value;
  }, on);
}

interface Connected {
  ui: Child;
  page: Page;
  close(): Promise<void>;
}

async function openUi(ctx: FigureContext, dir: string, chromium: string): Promise<Connected> {
  const ui = spawnChild(
    'tapedeck ui',
    process.execPath,
    [cliPath, 'ui', dir, '--port', '0', '--no-open'],
    {
      cwd: repoRoot,
      logFile: join(ctx.workDir, 'ui.log'),
      env: { ...process.env, TAPEDECK_CONFIG_DIR: join(ctx.workDir, 'config') },
    },
  );
  const browser = await launchChromium(chromium, { width: 1440, height: 900 });
  try {
    const { url } = await ui.listening(60_000);
    const page = await browser.context.newPage();
    await page.addInitScript(watchLive);
    await page.goto(url);
    await page
      .locator('[data-testid="mock-status"][data-state="connected"]')
      .waitFor({ timeout: 60_000 });
    await page.getByRole('tab', { name: /Live/ }).click();
    return {
      ui,
      page,
      async close() {
        await browser.close();
        await ui.stop();
      },
    };
  } catch (err) {
    await browser.close();
    await ui.stop();
    throw err;
  }
}

/**
 * Reads the mock's live rows as the desktop's host does (token from the announce file), counting
 * rows and keeping nothing: what the link costs the mock without a browser on the same cores.
 */
async function liveReader(dir: string): Promise<{ rows(): number; close(): void }> {
  const announced = JSON.parse(
    await readFile(join(dir, ANNOUNCE_FILE), 'utf8'),
  ) as MockAnnouncement;
  const abort = new AbortController();
  const res = await fetch(`${announced.url}${LIVE_PREFIX}/events`, {
    headers: { [TOKEN_HEADER]: announced.token },
    signal: abort.signal,
  });
  if (!res.ok || !res.body) throw new Error(`live events: HTTP ${res.status}`);
  let rows = 0;
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  void (async () => {
    for (;;) {
      const chunk = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (chunk.done) return;
      // Each row is one object of a JSON array; its "outcome" key appears once per row.
      rows += decoder.decode(chunk.value, { stream: true }).split('"outcome"').length - 1;
    }
  })();
  return {
    rows: () => rows,
    close: () => abort.abort(),
  };
}

export const liveLog: Figure = {
  name: FIGURE,
  title: 'Live log: 1,000 requests/s into a connected UI (tapedeck mock + tapedeck ui in Chromium)',
  async run(ctx) {
    const chromium = findChromium();
    if (!chromium) {
      say(`  ${skipMessage(FIGURE)}`);
      return [
        { figure: FIGURE, what: 'live log', measured: 'no Chromium', target: '—', verdict: 'SKIP' },
      ];
    }
    const durationS = ctx.quick ? 4 : 20;
    const saturateS = ctx.quick ? 2 : 8;
    const call = Call.parse(chatCompletionCall());
    const dir = join(ctx.workDir, 'snap');
    await writeSnapshot(dir, [call]);
    const mock = await startTapedeck(
      'mock',
      dir,
      ['--timing', 'instant'],
      join(ctx.workDir, 'mock.log'),
    );
    try {
      const req = replayRequest(call, mock.url);
      const first = await send(keepAliveAgent(), req);
      if (first.status !== 200) throw new Error(`tapedeck mock answered ${first.status}`);
      const load = (what: string, seconds: number, rate?: number): Promise<LoadResult> =>
        runLoad(req, {
          connections: CONNECTIONS,
          durationS: seconds,
          bodyFile: join(ctx.workDir, 'body.json'),
          ...(rate === undefined ? {} : { rate }),
        }).then((r) => assertClean(what, r));

      say(
        `  ${RATE} requests/s for ${durationS} s over ${CONNECTIONS} connections, then unthrottled for ${saturateS} s`,
      );
      const bareRate = await load('no UI, 1,000/s', durationS, RATE);
      const bareMax = await load('no UI, unthrottled', saturateS);
      const reader = await liveReader(dir);
      let linkMax: LoadResult;
      try {
        linkMax = await load('a bare live-link client, unthrottled', saturateS);
      } finally {
        reader.close();
      }
      say(`  the bare live-link client read ${reader.rows()} rows`);

      const ui = await openUi(ctx, dir, chromium);
      let withRate: LoadResult;
      let withMax: LoadResult;
      let live: { behind: number[]; frames: number[]; longTasks: number[] };
      try {
        await setWatching(ui.page, true);
        withRate = await load('UI connected, 1,000/s', durationS, RATE);
        await setWatching(ui.page, false);
        live = await ui.page.evaluate(() => {
          const g = globalThis as unknown as PageGlobals;
          const l = g.__live;
          return {
            behind: l?.behind ?? [],
            frames: l?.frames ?? [],
            longTasks: l?.longTasks ?? [],
          };
        });
        withMax = await load('UI connected, unthrottled', saturateS);
        const shown = await ui.page.getByTestId('live-count').textContent();
        say(`  the UI's live log says: ${shown ?? '(nothing)'}`);
      } finally {
        await ui.close();
      }
      if (live.behind.length === 0)
        throw new Error('no live-log row was ever visible during the run');

      const rateRatio = withRate.rps / bareRate.rps;
      const maxRatio = withMax.rps / bareMax.rps;
      const linkRatio = linkMax.rps / bareMax.rps;
      const behindP95 = percentile(live.behind, 95);
      const frameP95 = percentile(live.frames, 95);
      const longTotal = live.longTasks.reduce((a, b) => a + b, 0);
      const longMax = live.longTasks.reduce((a, b) => Math.max(a, b), 0);
      row('  at 1,000/s: no UI', fmt.rps(bareRate.rps), `p99 ${fmt.ms(bareRate.latencyP99Ms)}`);
      row(
        '  at 1,000/s: UI connected',
        fmt.rps(withRate.rps),
        `p99 ${fmt.ms(withRate.latencyP99Ms)}`,
      );
      row('  unthrottled: no UI', fmt.rps(bareMax.rps));
      row('  unthrottled: bare live-link client', fmt.rps(linkMax.rps));
      row('  unthrottled: UI connected', fmt.rps(withMax.rps));
      row('  request → row on screen, p95', fmt.ms(behindP95), `(${live.behind.length} frames)`);
      row('  frame time p95', fmt.ms(frameP95));
      row(
        '  long tasks',
        `${live.longTasks.length}`,
        `total ${fmt.ms(longTotal)}`,
        `longest ${fmt.ms(longMax)}`,
      );
      return [
        {
          figure: FIGURE,
          what: 'throughput at 1,000/s, UI connected vs none',
          measured: `${rateRatio.toFixed(2)}×`,
          target: '≥ 0.9×',
          verdict: atLeast(rateRatio, 0.9),
        },
        {
          figure: FIGURE,
          what: 'unthrottled, live-link client vs none',
          measured: `${linkRatio.toFixed(2)}×`,
          target: 'info',
          verdict: 'INFO',
        },
        {
          figure: FIGURE,
          what: 'unthrottled throughput, UI connected vs none',
          measured: `${maxRatio.toFixed(2)}×`,
          target: 'info',
          verdict: 'INFO',
        },
        {
          figure: FIGURE,
          what: 'request → row visible, p95',
          measured: fmt.ms(behindP95),
          target: '≤ 500 ms',
          verdict: atMost(behindP95, 500),
        },
        {
          figure: FIGURE,
          what: `long tasks in ${durationS} s`,
          measured: `${live.longTasks.length} (longest ${fmt.ms(longMax)})`,
          target: 'info',
          verdict: 'INFO',
        },
        {
          figure: FIGURE,
          what: 'frame time p95',
          measured: fmt.ms(frameP95),
          target: 'info',
          verdict: 'INFO',
        },
      ];
    } finally {
      await mock.child.stop();
    }
  },
};
