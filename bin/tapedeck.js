#!/usr/bin/env node
// The CLI is compiled to dist/ by `npm install` (the `prepare` script runs `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/proxy/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(
    'tapedeck: not built yet; run `npm install` (or `npm run build`) in the tapedeck folder.\n',
  );
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
