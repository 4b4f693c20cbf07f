/**
 * `tapedeck mock --report FILE`: at exit the run's summary is written and matches the `report`
 * schema: hits per call, unused calls, faults, retries, misses with their diff (redacted, not
 * recordable) and never a header or a key. Written on close(), on SIGINT and when `-- CMD` ends.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer } from '../proxy/mock-server.js';
import type { MockReport } from '../shared/mock-link.js';
import { Report } from '../shared/schema.js';
import { assertBuilt, runCli, startCli } from './support/cli.js';
import { chat, openai, recordSnapshot, snapshotWith } from './support/fault-sdk.js';
import { readCalls } from './support/snapshot-files.js';

let golden: Awaited<ReturnType<typeof recordSnapshot>>;
beforeAll(async () => {
  assertBuilt();
  golden = await recordSnapshot();
}, 60_000);
afterAll(() => rm(golden.dir, { recursive: true, force: true }));

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function folders(): Promise<{ dir: string; out: string }> {
  const dir = await snapshotWith(golden, {
    calls: { chat: [{ kind: 'latency', ttfb: { fixed: 1 }, name: 'slow' }] },
  });
  const out = await mkdtemp(path.join(tmpdir(), 'tapedeck-report-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  cleanups.push(() => rm(out, { recursive: true, force: true }));
  return { dir, out };
}

const SECRET = 'sk-proj-' + 'R3p0'.repeat(10);
const KEY = 'sk-report-key-' + 'x'.repeat(20);

async function traffic(url: string): Promise<void> {
  await chat(openai(`${url}/openai`));
  const client = new OpenAI({ apiKey: KEY, baseURL: `${url}/openai/v1`, maxRetries: 0 });
  await expect(
    client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: `the key is ${SECRET}; weather in Rome?` }],
    }),
  ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
}

async function readReport(file: string): Promise<MockReport> {
  const text = await readFile(file, 'utf8');
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain(KEY);
  expect(text.toLowerCase()).not.toContain('authorization');
  const parsed = Report.parse(JSON.parse(text));
  return parsed as MockReport;
}

describe('--report', () => {
  it('is written at close: hits, unused, faults, misses redacted and not recordable', async () => {
    const { dir, out } = await folders();
    const file = path.join(out, 'run.json');
    const m = await startMockServer({
      dir,
      port: 0,
      watch: false,
      timing: { mode: 'instant' },
      report: file,
      log: () => undefined,
    });
    await traffic(m.url);
    await m.close();
    const r = await readReport(file);
    const calls = (await readCalls(dir)).sort((a, b) => a.seq - b.seq);
    const chatCall = calls.find((c) => c.file.endsWith(golden.files.chat));
    expect(r).toMatchObject({
      format: 'tapedeck-report/1',
      requests: 2,
      hits: 1,
      unmatched: 1,
      calls: [{ call: chatCall?.id, file: `calls/${golden.files.chat}`, hits: 1 }],
      faults: { latency: 1 },
      upstreams: { openai: { requests: 2, matched: 1, unmatched: 1, retries: 0 } },
    });
    expect(r.unused).toEqual(calls.filter((c) => c !== chatCall).map((c) => c.id));
    expect(r.misses).toHaveLength(1);
    expect(r.misses[0]).toMatchObject({ count: 1, recordable: false, model: 'gpt-4o-mini' });
    expect(r.misses[0]?.diff.join('\n')).toContain('Rome');
    expect(JSON.stringify(r.misses[0]?.body)).toContain('[REDACTED]');
  });

  it('the CLI writes it on SIGINT and when -- CMD ends', async () => {
    const { dir, out } = await folders();
    const onSignal = path.join(out, 'signal.json');
    const cli = await startCli([
      'mock',
      dir,
      '--port',
      '0',
      '--timing',
      'instant',
      '--report',
      onSignal,
    ]);
    await traffic(cli.url);
    await cli.stop();
    expect((await readReport(onSignal)).requests).toBe(2);

    const onCommand = path.join(out, 'command.json');
    const run = await runCli(
      ['mock', dir, '--port', '0', '--report', onCommand, '--', process.execPath, '-e', ''],
      { timeoutMs: 30_000 },
    );
    expect(run.code).toBe(0);
    expect((await readReport(onCommand)).requests).toBe(0);
  });
});
