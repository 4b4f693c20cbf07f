/**
 * examples/jest as a user runs it: a child Jest run (native ESM, `--experimental-vm-modules`)
 * whose globalSetup starts the mock with `startMock` from `tapedeck/testing` (the built package,
 * by its name) and hands it to the workers through the environment. Its JSON report must list
 * every example test as passed; and with the sequence's first reply taken out of the snapshot,
 * exactly the tests that assert it fail, so the run can fail.
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

const example = path.join(repoRoot, 'examples', 'jest');
const jest = path.join(repoRoot, 'node_modules', 'jest', 'bin', 'jest.js');
let tmp: string;

beforeAll(() => {
  assertTestingBuilt();
  tmp = mkdtempSync(path.join(tmpdir(), 'tapedeck-example-jest-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function runExample(name: string, env: Record<string, string> = {}) {
  const out = path.join(tmp, `${name}.json`);
  const ran = await run(
    process.execPath,
    [
      '--experimental-vm-modules',
      jest,
      '--config',
      path.join(example, 'jest.config.mjs'),
      '--json',
      `--outputFile=${out}`,
    ],
    { env: childEnv(env) },
  );
  let tests;
  try {
    tests = testsOf(JSON.parse(readFileSync(out, 'utf8')));
  } catch (e) {
    throw new Error(`no JSON report from the child jest (exit ${ran.code}):\n${ran.output}`, {
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
  ...SEQUENCE_TESTS.map((name) => ({ file: 'isolation.test.mjs', name })),
  { file: 'replies.test.mjs', name: 'a chat completion answers with the recorded tool call' },
  { file: 'replies.test.mjs', name: 'a streamed chat completion replays the recorded chunks' },
  {
    file: 'unit.test.mjs',
    name: 'mockClient returns the scripted replies in order, then repeats the last',
  },
];

describe('examples/jest', () => {
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
