/**
 * The vendor side of a run: a service that calls the vendors through the real `openai` SDK
 * (maxRetries 2), and a mock (`--mock DIR`, started by `tapedeck load`) whose only fault answers
 * the first chat request with a 429. The SDK retries; the run counts that retry, the vendor's
 * requests and share, and the fault fired.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ANNOUNCE_FILE } from '../shared/mock-link.js';
import { RunReport } from '../shared/schema.js';
import { assertBuilt, runCli } from './support/cli.js';
import { chat, openai, recordSnapshot, snapshotWith } from './support/fault-sdk.js';
import { startLoadTarget, type LoadTarget } from './support/load-target.js';

let golden: Awaited<ReturnType<typeof recordSnapshot>>;
let dir = '';
let target: LoadTarget;
beforeAll(async () => {
  assertBuilt();
  golden = await recordSnapshot();
  dir = await snapshotWith(golden, {
    calls: { chat: [{ kind: 'rateLimit', for: 1, retryAfterS: 0.01 }] },
  });
  // The service finds the mock the way any tool on the machine does: its announce file.
  target = await startLoadTarget(async () => {
    const { url } = JSON.parse(await readFile(path.join(dir, ANNOUNCE_FILE), 'utf8')) as {
      url: string;
    };
    const reply = await chat(openai(`${url}/openai`, { maxRetries: 2 }));
    return { status: 200, body: JSON.stringify({ n: reply.choices.length }) };
  });
}, 60_000);
afterAll(async () => {
  await target.close();
  await rm(dir, { recursive: true, force: true });
  await rm(golden.dir, { recursive: true, force: true });
});

it("counts the openai SDK's retry after a 429 as the mock saw it", async () => {
  const report = path.join(dir, 'run.json');
  const requests = path.join(dir, 'requests.jsonl');
  await writeFile(requests, '{"method":"POST","path":"/ask","body":{"q":"weather"}}\n');
  // One request: the mock also counts the same body sent again within 30 s as a retry, so a
  // second request would add one of its own.
  const r = await runCli(
    [
      'load',
      target.url,
      '--requests',
      requests,
      '--steps',
      '1',
      '--count',
      '1',
      '--mock',
      dir,
      '--report',
      report,
    ],
    { timeoutMs: 60_000 },
  );
  expect(r.stderr).toContain('vendors: mock http://');
  expect(r.code).toBe(0);
  const run = RunReport.parse(JSON.parse(await readFile(report, 'utf8')));
  expect(run.mock).toMatchObject({ dir, scenario: null });
  const step = run.steps[0];
  expect(step).toMatchObject({ requests: 1, errors: 0, retries: 1, retriesPerRequest: 1 });
  expect(step?.vendors).toEqual({
    openai: expect.objectContaining({
      share: 1,
      requests: 2,
      matched: 2,
      unmatched: 0,
      retries: 1,
      faults: { rateLimit: 1 },
    }) as unknown,
  });
  // The mock is gone with the run, and took its announce file with it.
  await expect(readFile(path.join(dir, ANNOUNCE_FILE))).rejects.toThrow();
  // The vendor table: share, calls, … retries, malformed.
  expect(r.stdout).toMatch(/^ {2}openai +100% +2 +.* 1 +0$/m);
  expect(r.stdout).toContain('faults rateLimit ×1');
});
