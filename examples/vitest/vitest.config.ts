import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    // One mock for the whole run: started before the first test file, closed after the last.
    globalSetup: ['./global-setup.ts'],
  },
});
