/**
 * Search in bodies over 100,000 calls, as the desktop app asks it: `tapedeck ui DIR` in its own
 * process, `searchBodies` over the HTTP transport, once cold (every file read) and once from the
 * host's cache, for a word no call has (the whole folder scanned) and for one a call has. While
 * the cold search runs, another RPC (`appInfo`) is sent every 25 ms: its latency shows whether the
 * host (which also carries the mock link and the file watch) stays responsive. **Baseline:** the
 * same `appInfo` latency with no search running.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BodySearchResult } from '../shared/desktop-api.js';
import { spawnChild } from './child.js';
import type { Figure } from './figure.js';
import { cliPath, repoRoot } from './paths.js';
import { atMost, fmt, row, say } from './report.js';
import { generateSnapshot } from './snapshot-gen.js';
import { percentile } from './stats.js';

const FIGURE = 'body-search';
const PROBE_EVERY_MS = 25;
/** A word no generated call contains. */
const ABSENT = 'zebrafish-quartz';

interface Rpc {
  <T>(method: string, ...args: unknown[]): Promise<T>;
}

async function session(url: string): Promise<Rpc> {
  const res = await fetch(url, { redirect: 'manual' });
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  if (!cookie) throw new Error(`tapedeck ui set no session cookie (HTTP ${res.status})`);
  const origin = new URL(url).origin;
  return async <T>(method: string, ...args: unknown[]): Promise<T> => {
    const r = await fetch(`${origin}/api/${method}`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify(args),
    });
    const body = (await r.json()) as { result?: T; error?: { message: string } };
    if (!r.ok || body.result === undefined)
      throw new Error(`${method}: ${body.error?.message ?? `HTTP ${r.status}`}`);
    return body.result;
  };
}

/** appInfo round trips, one every PROBE_EVERY_MS, until `done` settles. */
async function probe(rpc: Rpc, done: Promise<unknown>): Promise<number[]> {
  let finished = false;
  void done.finally(() => (finished = true));
  const out: number[] = [];
  while (!finished) {
    const t = performance.now();
    await rpc('appInfo');
    out.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, PROBE_EVERY_MS));
  }
  return out;
}

async function timed(rpc: Rpc, query: string): Promise<{ ms: number; r: BodySearchResult }> {
  const t = performance.now();
  const r = await rpc<BodySearchResult>('searchBodies', query);
  return { ms: performance.now() - t, r };
}

export const bodySearch: Figure = {
  name: FIGURE,
  title: 'Search in bodies over 100,000 calls (tapedeck ui, HTTP transport)',
  async run(ctx) {
    const calls = ctx.quick ? 10_000 : 100_000;
    const snap = await generateSnapshot(join(ctx.workDir, 'snap'), calls, { validate: false });
    const word =
      JSON.stringify(snap.sample?.request.body ?? '')
        .match(/[A-Za-z]{7,}/g)
        ?.at(-1) ?? 'assistant';
    const ui = spawnChild(
      'tapedeck ui',
      process.execPath,
      [cliPath, 'ui', snap.dir, '--port', '0', '--no-open'],
      {
        cwd: repoRoot,
        logFile: join(ctx.workDir, 'ui.log'),
        env: { ...process.env, TAPEDECK_CONFIG_DIR: join(ctx.workDir, 'config') },
      },
    );
    try {
      const { url } = await ui.listening(60_000);
      const rpc = await session(url);
      await rpc('openFolder', snap.dir);
      const idle: number[] = [];
      for (let i = 0; i < 40; i++) {
        const t = performance.now();
        await rpc('appInfo');
        idle.push(performance.now() - t);
      }
      const cold = timed(rpc, ABSENT);
      const during = await probe(rpc, cold);
      const coldR = await cold;
      const cached = await timed(rpc, ABSENT);
      const found = await timed(rpc, word);
      if (coldR.r.searched !== calls || coldR.r.files.length !== 0)
        throw new Error(
          `the cold search searched ${coldR.r.searched} of ${calls} calls and found ${coldR.r.files.length}`,
        );
      if (found.r.files.length === 0) throw new Error(`no call contains "${word}"`);

      const idleP95 = percentile(idle, 95);
      const duringP95 = percentile(during, 95);
      const duringMax = during.reduce((a, b) => Math.max(a, b), 0);
      row(`  cold search, ${calls.toLocaleString('en-US')} calls`, fmt.ms(coldR.ms, 0));
      row('  the same from the cache', fmt.ms(cached.ms, 0));
      row(
        `  "${word}"`,
        `${found.r.files.length.toLocaleString('en-US')} calls`,
        fmt.ms(found.ms, 0),
      );
      row('  appInfo p95: idle', fmt.ms(idleP95));
      row(
        '  appInfo during the cold search',
        `p95 ${fmt.ms(duringP95)}`,
        `max ${fmt.ms(duringMax)}`,
        `(${during.length} calls)`,
      );
      say(
        `  a search of ${fmt.ms(coldR.ms, 0)} keeps the host answering within ${fmt.ms(duringP95)} (p95)`,
      );
      return [
        {
          figure: FIGURE,
          what: `cold search, ${calls / 1000}k calls`,
          measured: fmt.ms(coldR.ms, 0),
          target: 'info',
          verdict: 'INFO',
        },
        {
          figure: FIGURE,
          what: 'cached search',
          measured: `${(cached.ms / coldR.ms).toFixed(2)}× of cold`,
          target: 'info',
          verdict: 'INFO',
        },
        {
          figure: FIGURE,
          what: 'host RPC p95 during a search',
          measured: `${fmt.ms(duringP95)} (${(duringP95 / idleP95).toFixed(1)}× idle)`,
          target: '≤ 100 ms',
          verdict: atMost(duringP95, 100),
        },
      ];
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${ui.outputTail()}`, { cause: err });
    } finally {
      await ui.stop();
    }
  },
};
