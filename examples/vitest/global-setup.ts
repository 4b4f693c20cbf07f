/**
 * Starts one Tapedeck mock for the whole run and hands its URL to the tests (`inject('tapedeckUrl')`).
 * `strict` makes the teardown, and so the run, fail when a request found no recorded call.
 */
import { fileURLToPath } from 'node:url';
import { startMock } from 'tapedeck/testing';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    tapedeckUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const mock = await startMock({
    snapshot:
      process.env.TAPEDECK_SNAPSHOT ?? fileURLToPath(new URL('./snapshot', import.meta.url)),
    strict: true,
    log: false,
  });
  project.provide('tapedeckUrl', mock.url);
  return () => mock.close();
}
