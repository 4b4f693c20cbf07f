import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};
/** Read from package.json at run time (dist/proxy/ → ../../package.json). */
export const VERSION = pkg.version;
