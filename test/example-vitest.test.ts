/**
 * examples/vitest as a user runs it: a child vitest run of its own config, whose globalSetup
 * starts the mock with `startMock` from `tapedeck/testing` (the built package, by its name).
 */
import path from 'node:path';
import { repoRoot } from './support/cli.js';
import { exampleSuite } from './support/example-suite.js';

const vitest = path.join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs');

exampleSuite({
  name: 'vitest',
  ext: '.test.ts',
  args: (example, out) => [
    vitest,
    'run',
    '--root',
    example,
    '--reporter=json',
    `--outputFile=${out}`,
  ],
});
