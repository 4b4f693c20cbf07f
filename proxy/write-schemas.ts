/** Writes the published JSON Schemas (schemas/*.schema.json) from the zod definitions. */
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { jsonSchemaOf, schemas, type SchemaName } from '../shared/schema.js';

export function schemaFiles(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(schemas) as SchemaName[]) {
    const schema = {
      $id: `https://tapedeck.dev/schemas/${name}.schema.json`,
      ...jsonSchemaOf(name),
    };
    out[`${name}.schema.json`] = JSON.stringify(schema, null, 2) + '\n';
  }
  return out;
}

export async function writeSchemas(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [file, text] of Object.entries(schemaFiles())) await writeFile(`${dir}/${file}`, text);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await writeSchemas(fileURLToPath(new URL('../../schemas', import.meta.url)));
}
