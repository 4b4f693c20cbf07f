/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/*.test.mjs'],
  // Native ESM: no Babel, so no transform (run with `node --experimental-vm-modules`).
  transform: {},
  // One mock for the whole run, started before the workers and closed after them.
  globalSetup: '<rootDir>/global-setup.mjs',
  globalTeardown: '<rootDir>/global-teardown.mjs',
};
