/** The `tapedeck` command line: record, mock, inspect, migrate, ui, load, report. */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { DEFAULT_MAX_BODY_BYTES } from '../shared/limits.js';
import { formatCost } from '../shared/format.js';
import { parseInboundFlags } from '../shared/inbound.js';
import { parseUpstreamFlag } from '../shared/upstreams.js';
import { helpText } from './help-text.js';
import { placeholderKeys, sdkEnv } from './child-env.js';
import { LimitFlagError, parseByteSize, parseMs } from './cli-limits.js';
import { formatLoadError, formatReport, inspectSnapshot } from './inspect.js';
import type { LoadFlags } from './load/command.js';
import { bufferedStderr } from './log.js';
import { ScenarioMissingError } from './replay-index.js';
import { parseTiming } from './replay.js';
import { DEFAULT_BODY_TIMEOUT_MS, StartError, type RunningServer } from './server-util.js';
import { SnapshotMissingError, assertSnapshotDir, loadSnapshot } from './store/snapshot-store.js';
import { mockStrictReport, recordStrictReport } from './strict-report.js';
import type { RunningMock } from './mock-server.js';
import { VERSION } from './version.js';

export const EXIT_OK = 0;
export const EXIT_CHECK_FAILED = 1;
export const EXIT_USAGE = 2;

class UsageError extends Error {}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new UsageError(`--port wants a number from 0 to 65535, got "${v}"`);
  return n;
}

function folderOf(positional: string | undefined, alias: string | undefined, flag: string): string {
  if (positional && alias && path.resolve(positional) !== path.resolve(alias)) {
    throw new UsageError(
      `give the snapshot folder once: "${positional}" and ${flag} "${alias}" differ`,
    );
  }
  const dir = positional ?? alias;
  if (!dir)
    throw new UsageError(
      `missing the snapshot folder (e.g. tapedeck ${flag === '--out' ? 'record' : 'mock'} ./snap)`,
    );
  return path.resolve(dir);
}

function upstreamsOf(flags: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of flags ?? []) {
    try {
      const [name, url] = parseUpstreamFlag(f);
      out[name] = url;
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  return out;
}

function inboundOf(flags: string[] | undefined) {
  try {
    return parseInboundFlags(flags ?? []);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export { sdkEnv };

/** `--max-body` and `--body-timeout`, shared by `record` and `mock`. */
function limitsOf(o: { maxBody: string; bodyTimeout: string }): {
  maxBodyBytes: number;
  bodyTimeoutMs: number;
} {
  try {
    return {
      maxBodyBytes: parseByteSize('--max-body', o.maxBody),
      bodyTimeoutMs: parseMs('--body-timeout', o.bodyTimeout),
    };
  } catch (e) {
    if (e instanceof LimitFlagError) throw new UsageError(e.message);
    throw e;
  }
}

const maxBodyOption = () =>
  new Option(
    '--max-body <size>',
    "largest request body; bigger ones get a 413 in the provider's shape (e.g. 512k, 64m)",
  ).default(`${DEFAULT_MAX_BODY_BYTES / 1024 / 1024}m`);

const bodyTimeoutOption = () =>
  new Option(
    '--body-timeout <ms>',
    'longest time to receive a whole request, headers and body (0: none); replies are never cut',
  ).default(String(DEFAULT_BODY_TIMEOUT_MS));

/** Waits for SIGINT/SIGTERM while `work` runs, so a signal cannot kill us mid-write. */
async function holdingSignals<T>(work: (signalled: Promise<void>) => Promise<T>): Promise<T> {
  // `on`, not `once`, and kept until the end: write-file-atomic's signal-exit re-raises a signal
  // when it sees no other listener, which would kill us before the call being written reaches disk.
  let onSignal: () => void = () => undefined;
  const signalled = new Promise<void>((resolve) => (onSignal = resolve));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(signalled);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function runChild(
  command: [string, ...string[]],
  url: string,
  extraEnv: Record<string, string>,
): Promise<number> {
  const [cmd, ...args] = command;
  return new Promise<number>((resolve) => {
    const child = spawn(cmd, args, {
      stdio: 'inherit',
      env: { ...process.env, ...sdkEnv(url), ...extraEnv },
      shell: process.platform === 'win32',
    });
    const forwardSignal = (sig: NodeJS.Signals) => child.kill(sig);
    process.on('SIGINT', forwardSignal);
    process.on('SIGTERM', forwardSignal);
    const done = (code: number) => {
      process.off('SIGINT', forwardSignal);
      process.off('SIGTERM', forwardSignal);
      resolve(code);
    };
    child.on('error', (e) => {
      process.stderr.write(`tapedeck: cannot run ${cmd}: ${e.message}\n`);
      done(127);
    });
    child.on('exit', (c, sig) => done(c ?? 128 + (sig ? (os.constants.signals[sig] ?? 0) : 0)));
  });
}

/** Serves until SIGINT/SIGTERM, or until the child command ends; returns that command's exit code. */
async function serve(
  server: RunningServer,
  command: string[],
  extraEnv: Record<string, string> = {},
): Promise<number> {
  process.stdout.write(`listening on ${server.url}\n`);
  return holdingSignals(async (signalled) => {
    const code =
      command.length > 0
        ? await runChild(command as [string, ...string[]], server.url, extraEnv)
        : (await signalled, EXIT_OK);
    await server.close();
    return code;
  });
}

/** What a mock run did, said as it exits: the cost avoided is the point of replaying. */
export function exitLine(s: ReturnType<RunningMock['summary']>): string {
  return `tapedeck: ${s.requests} request(s), ${s.hits} replayed, ${s.unmatched} unmatched, ${formatCost(s.costAvoidedUsd)} avoided`;
}

const cliOutput = {
  out: (line: string) => process.stdout.write(line + '\n'),
  err: (line: string) => process.stderr.write(line + '\n'),
};

// Loaded only by `load` and `report`: the other commands need no load client.
const loadCommands = () => import('./load/command.js');

function splitCommand(argv: string[]): [string[], string[]] {
  const i = argv.indexOf('--');
  return i < 0 ? [argv, []] : [argv.slice(0, i), argv.slice(i + 1)];
}

export async function main(argv: string[]): Promise<number> {
  const [args, command] = splitCommand(argv);
  let result: Promise<number> = Promise.resolve(EXIT_OK);
  const program = new Command('tapedeck')
    .description('Record LLM provider traffic, inspect it, and replay it as fake vendors.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      // A bad flag is one line, like every other usage error: "tapedeck: REASON (hint)".
      outputError: (s, write) =>
        write(`tapedeck: ${s.replace(/^error: /, '').trimEnd()} (run tapedeck --help for usage)\n`),
    });

  program
    .command('record')
    .summary('proxy the providers and write one file per call')
    .description(
      helpText(
        'Sits between your app and the providers and writes one call file per request into the snapshot folder.',
        'Point an SDK at http://HOST:PORT/NAME, e.g. OPENAI_BASE_URL=http://127.0.0.1:8080/openai/v1.',
        'Built-in names: openai, anthropic, gemini, xai, openrouter. With "-- CMD", runs CMD with the SDK',
        'base-URL variables set (API keys are left as they are), then stops and exits with its code.',
        'A request that cannot be recorded (body over --max-body, JSON nested too deep, unknown upstream)',
        'is refused before it is forwarded; a call file that cannot be written is logged as NOT RECORDED.',
        "Exit codes: 0 ok (or CMD's code), 1 --strict found a request not recorded, 2 usage error",
        '(bad flag, port in use, folder that cannot be created). Limits and timeouts: docs/limits.md.',
        '--inbound PORT=URL also puts a reverse proxy on PORT in front of your app at URL and writes each',
        'request to it and its reply into DIR/inbound/ (docs/inbound.md).',
      ),
    )
    .argument('[dir]', 'snapshot folder (created if absent)')
    .option('--out <dir>', 'same as the positional folder')
    .option('--port <port>', 'port, 0 for any free one', '8080')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--upstream <NAME=URL>', 'add or override an upstream (repeatable)', collect)
    .option('--redact-header <name>', 'also redact this header (repeatable)', collect)
    .option(
      '--inbound <PORT=URL>',
      'front your app: requests to PORT go to URL and are written to DIR/inbound/ (repeatable)',
      collect,
    )
    .option(
      '--strict',
      'exit 1 at shutdown if any request was not recorded (refused, or its file not written)',
    )
    .addOption(maxBodyOption())
    .addOption(bodyTimeoutOption())
    .option(
      '--redact-body-path <jsonpath>',
      'never write the request-body value at this path, e.g. $.messages[*].content (repeatable)',
      collect,
    )
    .action(
      (
        dir: string | undefined,
        o: {
          out?: string;
          port: string;
          host: string;
          upstream?: string[];
          redactHeader?: string[];
          inbound?: string[];
          strict?: boolean;
          maxBody: string;
          bodyTimeout: string;
          redactBodyPath?: string[];
        },
      ) => {
        const folder = folderOf(dir, o.out, '--out');
        const options = {
          dir: folder,
          port: parsePort(o.port),
          host: o.host,
          upstreams: upstreamsOf(o.upstream),
          redactHeaders: o.redactHeader ?? [],
          ...limitsOf(o),
          redactBodyPaths: o.redactBodyPath ?? [],
          inbound: inboundOf(o.inbound),
        };
        result = (async () => {
          const log = bufferedStderr();
          // Each command loads only its own server: `mock` needs no tokenizer, price table or UI.
          const { RecordConfigError, startRecordServer } = await import('./record-server.js');
          const server = await startRecordServer({ ...options, log }).catch((e: unknown) => {
            throw e instanceof RecordConfigError ? new UsageError(e.message) : e;
          });
          process.stderr.write(`tapedeck: recording into ${folder}\n`);
          for (const f of server.inbound) process.stderr.write(`inbound ${f.port} → ${f.target}\n`);
          let code = await serve(server, command);
          log.flush();
          if (o.strict && server.notRecorded.length > 0) {
            process.stderr.write(recordStrictReport(server.notRecorded).join('\n') + '\n');
            if (code === EXIT_OK) code = EXIT_CHECK_FAILED;
          }
          return code;
        })();
      },
    );

  program
    .command('mock')
    .summary('serve a snapshot as fake vendors')
    .description(
      helpText(
        'Answers requests from the snapshot folder with the recorded status, headers, JSON and SSE streams.',
        "Unmatched requests get a 404 in the provider's error shape naming the closest recorded call.",
        'With "-- CMD", runs CMD with the SDK base-URL variables set and placeholder API keys for the',
        'providers that have none set (a set key is never replaced), then exits with its code.',
        "Exit codes: 0 ok (or CMD's code), 1 --strict found unmatched requests or invalid files (they are",
        'printed), 2 usage error (bad flag, missing folder, port in use). Limits and timeouts: docs/limits.md.',
      ),
    )
    .argument('[dir]', 'snapshot folder')
    .option('--in <dir>', 'same as the positional folder')
    .option('--port <port>', 'port, 0 for any free one', '8080')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--timing <mode>', 'recorded | instant | scale=FACTOR', 'recorded')
    .option(
      '--strict',
      'exit 1 at shutdown if a request went unmatched or a snapshot file was invalid, and print them',
    )
    .option(
      '--passthrough',
      'forward unmatched requests to the real upstream (answered ones do not fail --strict)',
    )
    .option(
      '--record-misses',
      'forward each unmatched request to its upstream and add it to the snapshot as a new call',
    )
    .option(
      '--upstream <NAME=URL>',
      'add or override an upstream for --passthrough or --record-misses (repeatable)',
      collect,
    )
    .option('--scenario <name>', 'also apply the faults of scenarios/NAME.json')
    .option('--seed <seed>', "seed of the faults' random draws (same seed, same faults)", '1')
    .addOption(new Option('--no-faults', 'ignore every fault: replay exactly what was recorded'))
    .option('--log-json <file>', 'also append one JSON line per request to FILE')
    .option(
      '--report <file>',
      'at exit, write a run summary to FILE (hits, misses with diffs, unused calls, faults, retries)',
    )
    .addOption(new Option('--no-watch', 'do not reload when snapshot files change'))
    .addOption(maxBodyOption())
    .addOption(bodyTimeoutOption())
    .action(
      (
        dir: string | undefined,
        o: {
          in?: string;
          port: string;
          host: string;
          timing: string;
          strict?: boolean;
          passthrough?: boolean;
          recordMisses?: boolean;
          upstream?: string[];
          watch: boolean;
          scenario?: string;
          seed: string;
          faults: boolean;
          logJson?: string;
          report?: string;
          maxBody: string;
          bodyTimeout: string;
        },
      ) => {
        const folder = folderOf(dir, o.in, '--in');
        if (o.recordMisses && o.passthrough)
          throw new UsageError(
            '--record-misses and --passthrough cannot be used together (--record-misses already forwards each miss, and keeps it)',
          );
        let timing;
        try {
          timing = parseTiming(o.timing);
        } catch (e) {
          throw new UsageError((e as Error).message);
        }
        const options = {
          dir: folder,
          port: parsePort(o.port),
          host: o.host,
          timing,
          strict: !!o.strict,
          passthrough: !!o.passthrough,
          recordMisses: !!o.recordMisses,
          upstreams: upstreamsOf(o.upstream),
          watch: o.watch,
          seed: o.seed,
          faults: o.faults,
          ...(o.scenario !== undefined ? { scenario: o.scenario } : {}),
          ...(o.logJson !== undefined ? { logJson: path.resolve(o.logJson) } : {}),
          ...(o.report !== undefined ? { report: path.resolve(o.report) } : {}),
          ...limitsOf(o),
        };
        result = (async () => {
          const log = bufferedStderr();
          const { startMockServer } = await import('./mock-server.js');
          const server = await startMockServer({ ...options, log });
          process.stderr.write(`tapedeck: serving ${server.calls} calls from ${folder}\n`);
          const keys = command.length > 0 ? placeholderKeys(process.env) : {};
          if (Object.keys(keys).length > 0)
            process.stderr.write(
              `tapedeck: placeholder API keys for the command (none was set): ${Object.keys(keys).join(', ')}\n`,
            );
          let code = await serve(server, command, keys);
          log.flush();
          process.stderr.write(exitLine(server.summary()) + '\n');
          if (options.strict && (server.unmatched > 0 || server.loadErrors.length > 0)) {
            process.stderr.write(
              mockStrictReport(server.unmatched, server.misses, server.loadErrors).join('\n') +
                '\n',
            );
            if (code === EXIT_OK) code = EXIT_CHECK_FAILED;
          }
          return code;
        })();
      },
    );

  program
    .command('inspect')
    .summary('list the calls of a snapshot with tokens, latency and cost')
    .description(
      helpText(
        'Prints each call of the snapshot folder (provider, model, request, status, stream, time to',
        'first byte and total, tokens, cost) and the totals.',
        'A file that cannot be used is skipped with its name and reason on stderr; every other file',
        'is still listed.',
        'Exit codes: 0 ok, 1 --strict found an invalid file, 2 usage error (bad flag, missing folder).',
      ),
    )
    .argument('[dir]', 'snapshot folder')
    .option('--in <dir>', 'same as the positional folder')
    .option('--json', 'print { calls, totals, errors } as JSON')
    .option('--strict', 'exit 1 if a snapshot file is invalid')
    .action((dir: string | undefined, o: { in?: string; json?: boolean; strict?: boolean }) => {
      const folder = folderOf(dir, o.in, '--in');
      result = (async () => {
        const report = inspectSnapshot(await loadSnapshot(folder));
        if (o.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
        else process.stdout.write(formatReport(report) + '\n');
        for (const e of report.errors)
          process.stderr.write(`tapedeck: skipped ${formatLoadError(e)}\n`);
        return o.strict && report.errors.length > 0 ? EXIT_CHECK_FAILED : EXIT_OK;
      })();
    });

  program
    .command('migrate')
    .summary('rewrite an older snapshot folder in the current file format')
    .description(
      helpText(
        'Upgrades tapedeck.json and each call file of an older format to the current one.',
        'Each file is replaced atomically; files already current are left untouched.',
        'Older folders are read without it too: this makes the upgrade permanent.',
        'Exit codes: 0 ok, 1 a file could not be migrated (invalid, newer), 2 usage error.',
      ),
    )
    .argument('<dir>', 'snapshot folder')
    .option('--dry-run', 'say what would change, write nothing')
    .option('--json', 'print { migrated, current, skipped } as JSON')
    .action((dir: string, o: { dryRun?: boolean; json?: boolean }) => {
      const folder = path.resolve(dir);
      result = (async () => {
        const { formatMigrateReport, migrateSnapshot } = await import('./migrate.js');
        const report = await migrateSnapshot(folder, o.dryRun === true);
        if (o.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
        else process.stdout.write(formatMigrateReport(report) + '\n');
        for (const s of report.skipped)
          process.stderr.write(`tapedeck: skipped ${s.file}: ${s.reason}\n`);
        return report.skipped.length > 0 ? EXIT_CHECK_FAILED : EXIT_OK;
      })();
    });

  program
    .command('ui')
    .summary('open the desktop UI in a browser')
    .description(
      helpText(
        'Serves the Tapedeck UI on 127.0.0.1 and opens it in your browser.',
        'The printed URL carries a secret token: only a browser that opened it can use the UI.',
        'Without a folder, the start page offers recent folders, a folder browser and a demo.',
        'Exit codes: 0 ok, 2 usage error (bad flag, missing folder, port in use).',
      ),
    )
    .argument('[dir]', 'snapshot folder to open')
    .option('--port <port>', 'port, 0 for any free one', '0')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .addOption(new Option('--no-open', 'do not open a browser'))
    .action((dir: string | undefined, o: { port: string; host: string; open: boolean }) => {
      const folder = dir ? path.resolve(dir) : null;
      const port = parsePort(o.port);
      result = (async () => {
        if (folder) await assertSnapshotDir(folder);
        const log = (line: string) => process.stderr.write(line + '\n');
        const { startUiServer } = await import('./ui-server.js');
        const { openBrowser } = await import('./ui/open-browser.js');
        const server = await startUiServer({ folder, port, host: o.host, log });
        if (!['127.0.0.1', 'localhost', '::1'].includes(o.host))
          log(
            `tapedeck: --host ${o.host}: anyone who can reach this address and has the URL can use the UI`,
          );
        if (o.open) openBrowser(server.url, log);
        return serve(server, []);
      })();
    });

  program
    .command('load')
    .summary('replay captured requests against your service in concurrency steps, and report')
    .description(
      helpText(
        'Sends the requests captured in DIR/inbound/ (or --requests FILE.jsonl) to TARGET at each',
        'concurrency step in turn, prints a table per step and saves the run to DIR/runs/<time>.json.',
        'With --mock DIR it runs the vendors too (else it uses a mock already serving --from, if any)',
        "and reports their side: retries, each vendor's share, faults fired, cost avoided.",
        'With --export k6 FILE it writes the same run as a k6 script instead. Guide: docs/load.md.',
        'Exit codes: 0 ok, 1 a --fail-if condition held on some step, 2 usage error.',
      ),
    )
    .argument('<target>', 'base URL of the service, e.g. http://127.0.0.1:8000')
    .argument('[file]', 'the file of --export k6 FILE')
    .option('--from <dir>', 'snapshot folder: requests from its inbound/, the report to its runs/')
    .option('--requests <file>', 'JSONL of { method, path, headers, body }, one request a line')
    .option('--steps <list>', 'concurrency steps', '5,20,50,100')
    .option('--duration <time>', 'length of each step, e.g. 30s (default 30s)')
    .option('--count <n>', 'requests per step instead of a duration')
    .option('--timeout <time>', 'give up on a request after this long (0: never)', '10s')
    .option('--rate <r>', 'at most R requests per second in each step')
    .option('--report <file>', 'write the run here (default DIR/runs/<time>.json)')
    .option('--fail-if <conditions>', 'exit 1 if any holds on a step, e.g. "p95>3000,errors>1%"')
    .option('--mock <dir>', 'start a mock of this snapshot for the run (the vendors)')
    .option('--mock-port <port>', 'port of the --mock mock, 0 for any free one', '0')
    .option('--scenario <name>', "the --mock mock's scenario (scenarios/NAME.json)")
    .option('--seed <seed>', "seed of the --mock mock's fault draws", '1')
    .option('--export <format>', 'write a script for another engine instead of running: k6 FILE')
    .action((target: string, file: string | undefined, o: LoadFlags) => {
      // `--export k6 FILE` before the target leaves FILE first among the positionals.
      const swap = file !== undefined && !/^https?:/i.test(target) && /^https?:/i.test(file);
      const [t, f] = swap ? [file, target] : [target, file];
      result = loadCommands().then(({ LoadUsageError, runLoadCommand }) =>
        runLoadCommand(t, o, f, cliOutput).catch((e: unknown) => {
          throw e instanceof LoadUsageError ? new UsageError(e.message) : e;
        }),
      );
    });

  program
    .command('report')
    .summary('print a load run, or compare two')
    .description(
      helpText(
        'RUN is a run file or the id of one in DIR/runs/ (DIR from --in, default ./snap).',
        'Two runs are compared step by step (matched by concurrency): p95, errors, timeouts,',
        'retries per request and req/s, with REGRESSION where the second run is worse.',
        'Exit codes: 0 ok, 2 usage error (a run not found or not a run report).',
      ),
    )
    .argument('<run>', 'the run (or the one before)')
    .argument('[run2]', 'a second run to compare with the first')
    .option('--in <dir>', 'snapshot folder whose runs/ holds the ids', 'snap')
    .option('--json', 'print the run, or the comparison, as JSON')
    .action((run: string, run2: string | undefined, o: { in: string; json?: boolean }) => {
      result = loadCommands().then(({ LoadUsageError, runReportCommand }) =>
        runReportCommand(run2 === undefined ? [run] : [run, run2], o, cliOutput).catch(
          (e: unknown) => {
            throw e instanceof LoadUsageError ? new UsageError(e.message) : e;
          },
        ),
      );
    });

  try {
    await program.parseAsync(args, { from: 'user' });
    return await result;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (
        e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.version' ||
        e.code === 'commander.help'
      )
        return EXIT_OK;
      return EXIT_USAGE;
    }
    if (
      e instanceof UsageError ||
      e instanceof SnapshotMissingError ||
      e instanceof StartError ||
      e instanceof ScenarioMissingError
    ) {
      process.stderr.write(`tapedeck: ${e.message}\n`);
      return EXIT_USAGE;
    }
    throw e;
  }
}
