/**
 * examples/jest as a user runs it: a child Jest run (native ESM, `--experimental-vm-modules`)
 * whose globalSetup starts the mock with `startMock` from `tapedeck/testing` (the built package,
 * by its name) and hands it to the workers through the environment.
 */
import path from 'node:path';
import { repoRoot } from './support/cli.js';
import { exampleSuite } from './support/example-suite.js';

const jest = path.join(repoRoot, 'node_modules', 'jest', 'bin', 'jest.js');

exampleSuite({
  name: 'jest',
  ext: '.test.mjs',
  args: (example, out) => [
    '--experimental-vm-modules',
    jest,
    '--config',
    path.join(example, 'jest.config.mjs'),
    '--json',
    `--outputFile=${out}`,
  ],
});
