/**
 * examples/vitest as a user runs it: a child vitest run of its own config, whose globalSetup
 * starts the mock with `startMock` from `tapedeck/testing` (the built package, by its name).
 * Its JSON report must list every example test as passed; and with the sequence's first reply
 * taken out of the snapshot, exactly the tests that assert it fail, so the run can fail.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './support/cli.js';
import {
  assertTestingBuilt,
  byFileAndName,
  childEnv,
  run,
  testsOf,
} from './support/example-run.js';

const example = path.join(repoRoot, 'examples', 'vitest');
const vitest = path.join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs');
let tmp: string;

beforeAll(() => {
  assertTestingBuilt();
  tmp = mkdtempSync(path.join(tmpdir(), 'tapedeck-example-vitest-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function runExample(name: string, env: Record<string, string> = {}) {
  const out = path.join(tmp, `${name}.json`);
  const ran = await run(
    process.execPath,
    [vitest, 'run', '--root', example, '--reporter=json', `--outputFile=${out}`],
    { env: childEnv(env) },
  );
  let tests;
  try {
    tests = testsOf(JSON.parse(readFileSync(out, 'utf8')));
  } catch (e) {
    throw new Error(`no JSON report from the child vitest (exit ${ran.code}):\n${ran.output}`, {
      cause: e,
    });
  }
  return { ...ran, tests };
}

const SEQUENCE_TESTS = [
  'two tests asking the same question at once the first test gets the first reply, then the second',
  'two tests asking the same question at once the second test also gets the first reply, then the second',
  'the last reply repeats, and reset() starts the test over',
];
const ALL = [
  ...SEQUENCE_TESTS.map((name) => ({ file: 'isolation.test.ts', name })),
  { file: 'replies.test.ts', name: 'a chat completion answers with the recorded tool call' },
  { file: 'replies.test.ts', name: 'a streamed chat completion replays the recorded chunks' },
  {
    file: 'unit.test.ts',
    name: 'mockClient returns the scripted replies in order, then repeats the last',
  },
];

describe('examples/vitest', () => {
  it(
    'passes every test of the example, against startMock in globalSetup',
    { timeout: 120_000 },
    async () => {
      const { code, output, tests } = await runExample('as-shipped');
      expect(tests, output).toEqual(
        ALL.map((t) => ({ ...t, status: 'passed' })).sort(byFileAndName),
      );
      expect(code, output).toBe(0);
    },
  );

  it(
    'fails the tests that expect the first reply when the snapshot lacks it',
    { timeout: 120_000 },
    async () => {
      const snapshot = path.join(tmp, 'snapshot');
      cpSync(path.join(example, 'snapshot'), snapshot, { recursive: true });
      rmSync(path.join(snapshot, 'calls', '000003-openai-chat-gpt-4o-mini-2024-07-18.json'));
      const { code, output, tests } = await runExample('without-first-reply', {
        TAPEDECK_SNAPSHOT: snapshot,
      });
      expect(tests, output).toEqual(
        ALL.map((t) => ({
          ...t,
          status: SEQUENCE_TESTS.includes(t.name) ? 'failed' : 'passed',
        })).sort(byFileAndName),
      );
      expect(code, output).toBe(1);
    },
  );
});
