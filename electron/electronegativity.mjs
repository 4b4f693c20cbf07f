// Runs Electronegativity (@doyensec/electronegativity) on the built shell and writes its findings
// as JSON: `node electron/electronegativity.mjs [input] [out.json]` (defaults: dist/electron, stdout).
// test/electron-security.test.ts runs it and checks the findings against
// electron/electronegativity-allowlist.json.
//
// Why not the package's CLI: it requires `commander` without declaring it, and gets whatever
// version is hoisted (ours is 14, whose API it cannot use). Its `main` export, the runner, takes
// the same options and returns the findings instead of writing them asynchronously to a file.
// Why the `got` stand-in: the tool fetches translations (and Electron's release list) from the
// network at every run; it ships its English strings, and this machine, CI included, has no network.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const pkgDir = path.dirname(require.resolve('@doyensec/electronegativity/package.json'));
const electronVersion = require('electron/package.json').version;

const offline = () =>
  Promise.reject(new Error('no network: electronegativity runs offline in this project'));
for (const from of ['dist/locales', 'dist/finder/checks/GlobalChecks']) {
  const gotPath = require.resolve('got', { paths: [path.join(pkgDir, from)] });
  require.cache[gotPath] = { id: gotPath, filename: gotPath, loaded: true, exports: offline };
}

const allowlist = JSON.parse(
  await import('node:fs/promises').then((fs) =>
    fs.readFile(path.join(root, 'electron', 'electronegativity-allowlist.json'), 'utf8'),
  ),
);

const input = path.resolve(process.argv[2] ?? path.join(root, 'dist', 'electron'));
const out = process.argv[3];
const runnerModule = require(path.join(pkgDir, 'dist', 'runner.js'));
const run = runnerModule.default ?? runnerModule;
// The tool logs progress notes with console.log; keep stdout for the report.
const log = console.log;
console.log = (...args) => console.error(...args);
const result = await run(
  {
    input,
    output: undefined,
    isSarif: false,
    customScan: [],
    excludeFromScan: allowlist.excludedChecks.map((c) => c.check.toLowerCase()),
    isRelative: true,
    isVerbose: false,
    electronUpgrade: undefined,
    electronVersionOverride: electronVersion,
    parserPlugins: [],
  },
  false,
).finally(() => {
  console.log = log;
});

const report = {
  input,
  electronVersion,
  checks: { global: result.globalChecks, atomic: result.atomicChecks },
  errors: result.errors.map((e) => ({
    file: e.file,
    message: e.message,
    tolerable: !!e.tolerable,
  })),
  findings: result.issues.map((i) => ({
    check: i.id,
    severity: i.severity.name,
    confidence: i.confidence.name,
    file: i.file,
    line: i.location?.line ?? 0,
    column: i.location?.column ?? 0,
    sample: i.sample ?? null,
    description: i.description,
    manualReview: !!i.manualReview,
  })),
};
const text = JSON.stringify(report, null, 2) + '\n';
if (out) writeFileSync(out, text);
else process.stdout.write(text);
