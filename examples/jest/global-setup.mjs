/**
 * Starts one Tapedeck mock for the whole run. Jest's workers start after this and inherit the
 * environment, so the tests find the mock through TAPEDECK_URL and the SDKs' base URL variables.
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
  process.env.TAPEDECK_URL = mock.url;
  process.env.OPENAI_BASE_URL = mock.baseUrls.openai;
}
