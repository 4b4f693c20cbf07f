import { existsSync, readFileSync } from 'node:fs';

/** package.json is one level up from proxy/ in the sources and two from dist/proxy/ when built. */
function findPackageJson(): URL {
  for (const rel of ['../package.json', '../../package.json']) {
    const url = new URL(rel, import.meta.url);
    if (existsSync(url)) {
      const pkg = JSON.parse(readFileSync(url, 'utf8')) as { name?: string };
      if (pkg.name === 'tapedeck') return url;
    }
  }
  throw new Error('tapedeck: cannot find its package.json');
}

export const VERSION = (JSON.parse(readFileSync(findPackageJson(), 'utf8')) as { version: string })
  .version;
