import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { schemaFiles } from '../proxy/write-schemas.js';

describe('published JSON Schemas', () => {
  it('are generated from the zod definitions the code validates with (run npm run build to refresh)', async () => {
    for (const [file, text] of Object.entries(schemaFiles())) {
      const onDisk = await readFile(new URL(`../schemas/${file}`, import.meta.url), 'utf8');
      expect(onDisk, file).toBe(text);
    }
  });
});
