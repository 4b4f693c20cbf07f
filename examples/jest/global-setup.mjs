/**
 * Starts one Tapedeck mock for the whole run. Jest's workers start after this and inherit the
 * environment, so the tests find the mock through TAPEDECK_URL and the SDKs' own variables.
 */
import { fileURLToPath } from 'node:url';
import { startMock } from 'tapedeck/testing';

export default async function globalSetup() {
  const mock = await startMock({
    snapshot:
      process.env.TAPEDECK_SNAPSHOT ?? fileURLToPath(new URL('./snapshot', import.meta.url)),
    strict: true,
    log: false,
  });
  // globalSetup and globalTeardown run in the same process: the teardown finds it here.
  globalThis.tapedeckMock = mock;
  // TAPEDECK_URL, the SDKs' base URLs (OPENAI_BASE_URL…), and placeholder keys where none is set.
  Object.assign(process.env, mock.env);
}
