// `npm run bench`: measures the performance targets of DESIGN.md as ratios against baselines
// taken in the same run. Exit code 0 even when a target is missed (the bench reports); 1 when a
// figure could not be measured; 2 on a usage error.
// Usage: node dist/bench/run.js [--quick] [FIGURE...]
import { mkdir, rm } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { bodySearch } from './body-search.js';
import { faultOverhead } from './fault-overhead.js';
import { faultTiming } from './fault-timing.js';
import { inProcess } from './in-process.js';
import { loadGenerator } from './load-generator.js';
import { liveLog } from './live-log.js';
import type { Figure } from './figure.js';
import { mockScale } from './mock-scale.js';
import { mockStartup } from './mock-startup.js';
import { mockThroughput } from './mock-throughput.js';
import { benchDir } from './paths.js';
import { recordOverhead } from './record-overhead.js';
import { checkLine, heading, say, summaryTable, type Check } from './report.js';
import { sseTiming } from './sse-timing.js';
import { uiOpen } from './ui-open.js';

const FIGURES: Figure[] = [
  mockThroughput,
  recordOverhead,
  mockStartup,
  mockScale,
  sseTiming,
  faultOverhead,
  faultTiming,
  uiOpen,
  liveLog,
  bodySearch,
  inProcess,
  loadGenerator,
];

function usage(): string {
  return (
    'usage: node dist/bench/run.js [--quick] [FIGURE...]\n' +
    `figures: ${FIGURES.map((f) => f.name).join(', ')} (default: all)\n` +
    '--quick: short runs to check the harness; the figures are then only indicative\n'
  );
}

async function main(argv: string[]): Promise<number> {
  const flags = argv.filter((a) => a.startsWith('-'));
  const names = argv.filter((a) => !a.startsWith('-'));
  if (flags.includes('--help') || flags.includes('-h')) {
    process.stdout.write(usage());
    return 0;
  }
  const unknownFlags = flags.filter((f) => f !== '--quick');
  const unknownNames = names.filter((n) => !FIGURES.some((f) => f.name === n));
  if (unknownFlags.length > 0 || unknownNames.length > 0) {
    process.stderr.write(`unknown: ${[...unknownFlags, ...unknownNames].join(' ')}\n${usage()}`);
    return 2;
  }
  const quick = flags.includes('--quick');
  const selected = names.length > 0 ? FIGURES.filter((f) => names.includes(f.name)) : FIGURES;

  say(
    `tapedeck bench: node ${process.version}, ${cpus().length} cores${quick ? ', quick mode' : ''}`,
  );
  say('ratios and baselines are measured in this run, on this machine');
  const started = performance.now();
  const checks: Check[] = [];
  for (const figure of selected) {
    heading(figure.title);
    const workDir = join(benchDir, figure.name);
    await rm(workDir, { recursive: true, force: true });
    await mkdir(workDir, { recursive: true });
    const figureStart = performance.now();
    let results: Check[];
    try {
      results = await figure.run({ quick, workDir });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      say(`  ERROR: ${message.split('\n').join('\n    ')}`);
      results = [
        {
          figure: figure.name,
          what: 'measurement',
          measured: 'failed',
          target: '—',
          verdict: 'ERROR',
        },
      ];
    }
    say();
    for (const c of results) checkLine(c);
    say(`  (${((performance.now() - figureStart) / 1000).toFixed(0)} s)`);
    checks.push(...results);
  }
  summaryTable(checks);
  say(`total ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return checks.some((c) => c.verdict === 'ERROR') ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
