/**
 * The two example projects (examples/vitest, examples/jest) are checked alike: a child run of the
 * runner, as a user starts it, whose JSON report must list every example test as passed; and with
 * the sequence's first reply taken out of a copied snapshot, exactly the tests that assert it
 * fail (exit 1), so the check can fail.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './cli.js';
import { assertTestingBuilt, byFileAndName, childEnv, run, testsOf } from './example-run.js';

export interface ExampleRunner {
  /** The folder under examples/. */
  name: 'vitest' | 'jest';
  /** How its test files end: `.test.ts`, `.test.mjs`. */
  ext: string;
  /** node's arguments for a run that writes its JSON report to `out`. */
  args(example: string, out: string): string[];
}

const SEQUENCE_TESTS = [
  'two tests asking the same question at once the first test gets the first reply, then the second',
  'two tests asking the same question at once the second test also gets the first reply, then the second',
  'the last reply repeats, and reset() starts the test over',
];

export function exampleSuite(runner: ExampleRunner): void {
  const example = path.join(repoRoot, 'examples', runner.name);
  let tmp = '';
  beforeAll(() => {
    assertTestingBuilt();
    tmp = mkdtempSync(path.join(tmpdir(), `tapedeck-example-${runner.name}-`));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  const runExample = async (label: string, env: Record<string, string> = {}) => {
    const out = path.join(tmp, `${label}.json`);
    const ran = await run(process.execPath, runner.args(example, out), { env: childEnv(env) });
    let tests;
    try {
      tests = testsOf(JSON.parse(readFileSync(out, 'utf8')));
    } catch (e) {
      throw new Error(
        `no JSON report from the child ${runner.name} (exit ${ran.code}):\n${ran.output}`,
        { cause: e },
      );
    }
    return { ...ran, tests };
  };

  const file = (stem: string) => `${stem}${runner.ext}`;
  const all = [
    ...SEQUENCE_TESTS.map((name) => ({ file: file('isolation'), name })),
    { file: file('replies'), name: 'a chat completion answers with the recorded tool call' },
    { file: file('replies'), name: 'a streamed chat completion replays the recorded chunks' },
    {
      file: file('unit'),
      name: 'mockClient returns the scripted replies in order, then repeats the last',
    },
  ];

  describe(`examples/${runner.name}`, () => {
    it(
      'passes every test of the example, against startMock in globalSetup',
      { timeout: 120_000 },
      async () => {
        const { code, output, tests } = await runExample('as-shipped');
        expect(tests, output).toEqual(
          all.map((t) => ({ ...t, status: 'passed' })).sort(byFileAndName),
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
          all
            .map((t) => ({ ...t, status: SEQUENCE_TESTS.includes(t.name) ? 'failed' : 'passed' }))
            .sort(byFileAndName),
        );
        expect(code, output).toBe(1);
      },
    );
  });
}
