/** `tapedeck record`: a reverse proxy that writes one call file per request. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Agent } from 'undici';
import { providerOf, routeOf } from '../shared/adapters/registry.js';
import { providerError, type ErrorKind, type ErrorReply } from '../shared/providers/errors.js';
import { DEFAULT_MAX_BODY_BYTES, MAX_JSON_DEPTH, bytesExceedDepth } from '../shared/limits.js';
import { Redactor } from '../shared/redact.js';
import type { Call, Manifest } from '../shared/schema.js';
import {
  BUILTIN_UPSTREAMS,
  CONTROL_NAME,
  parseRoute,
  upstreamUrl,
  type Route,
} from '../shared/upstreams.js';
import type { InboundFront } from '../shared/inbound.js';
import { parsesAsJson } from './body.js';
import { forward } from './forward.js';
import { startInboundFronts, type RunningFront, type RunningInbound } from './inbound/capture.js';
import { BodyTooLargeError, readBody, sendJson } from './http-util.js';
import {
  RecordConfigError,
  buildCall,
  buildRequestPart,
  gatewayMessage,
  readManifest,
} from './recording.js';
import {
  DEFAULT_BODY_TIMEOUT_MS,
  StartError,
  closeServer,
  closedByTimeout,
  createServer,
  listen,
  type RunningServer,
} from './server-util.js';
import { logCleanUp } from './store/clean-up-log.js';
import {
  cleanSnapshotSideFiles,
  initSnapshotDir,
  lastSeq,
  writeCallFile,
} from './store/snapshot-store.js';
import { VERSION } from './version.js';

// Kept importable from here, where they were first defined.
export { RecordConfigError, buildCall, buildRequestPart, newCallId } from './recording.js';
export type { RequestPart } from './recording.js';

export interface RecordOptions {
  dir: string;
  port?: number;
  host?: string;
  upstreams?: Record<string, string>;
  redactHeaders?: string[];
  /** Request bodies over this many bytes get a 413 and are not forwarded (default 32 MiB). */
  maxBodyBytes?: number;
  /** Longest time to receive a whole request, 0 for none (default 300 s); replies are not timed. */
  bodyTimeoutMs?: number;
  /** Request-body JSON paths whose value is never written (`--redact-body-path`). */
  redactBodyPaths?: string[];
  /** Reverse-proxy fronts for the user's own app (`--inbound PORT=URL`), written to `inbound/`. */
  inbound?: InboundFront[];
  log?: (line: string) => void;
}

export type { RunningServer };

/** One request that reached a proxied route and did not end up as a call file. */
export interface NotRecorded {
  upstream: string;
  method: string;
  path: string;
  /** The status the client was given (0: none, the connection was closed). */
  status: number;
  reason: string;
}

export interface RunningRecorder extends RunningServer {
  /** Requests that were refused or whose call file could not be written (for --strict). */
  readonly notRecorded: readonly NotRecorded[];
  /** The `--inbound` fronts, listening. */
  readonly inbound: readonly RunningFront[];
}

/** The folder cannot be used for recording: not a folder, or cannot be created or read. */
export class SnapshotDirError extends StartError {}

function unknownUpstream(res: ServerResponse, name: string, known: string[]): void {
  sendJson(res, 404, {
    error: {
      message: `Tapedeck: unknown upstream "${name}". Known: ${known.join(', ')}. Add one with --upstream ${name}=URL.`,
      type: 'tapedeck_unknown_upstream',
    },
  });
}

export async function startRecordServer(opts: RecordOptions): Promise<RunningRecorder> {
  const { dir } = opts;
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const upstreams: Record<string, string> = { ...BUILTIN_UPSTREAMS, ...opts.upstreams };
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const bodyTimeout = opts.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;
  const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: null });
  const pending = new Set<Promise<void>>();
  const notRecorded: NotRecorded[] = [];
  let seq = 0;
  let prices: Manifest['prices'];
  let redactor = new Redactor(undefined);
  // The folder is prepared only once the port is ours; a request that arrives in between waits,
  // and is dropped (its connection closed) if the folder turns out unusable.
  let folderReady: (ok: boolean) => void = () => undefined;
  const ready = new Promise<boolean>((r) => (folderReady = r));

  /** Counts a request that leaves no call file, and says so in the log. */
  function lost(route: Route, method: string, status: number, reason: string): void {
    notRecorded.push({ upstream: route.name, method, path: route.path, status, reason });
    log(
      `record ${route.name} ${method} ${route.path} → ${status || 'closed'} NOT RECORDED: ${reason}`,
    );
  }

  /** Answers in the provider's shape without forwarding: nothing reached the upstream. */
  function refuse(
    res: ServerResponse,
    route: Route,
    method: string,
    kind: ErrorKind,
    reason: string,
    headers: Record<string, string> = {},
  ): void {
    const family = routeOf(route.path).family;
    const err = providerError(
      family,
      providerOf(route.name, family),
      kind,
      `Tapedeck: request refused, not forwarded: ${reason}.`,
    );
    sendJson(res, err.status, err.body, { ...err.headers, ...headers });
    lost(route, method, err.status, reason);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!(await ready)) return;
    const route = parseRoute(req.url ?? '/');
    if (route?.name === CONTROL_NAME) {
      if (route.path === '/health') return sendJson(res, 200, { ok: true, mode: 'record', dir });
      return sendJson(res, 404, {
        error: { message: `Tapedeck: no control endpoint ${route.path}`, type: 'tapedeck' },
      });
    }
    const base = route ? upstreams[route.name] : undefined;
    if (!route || !base) {
      unknownUpstream(res, route?.name ?? '', Object.keys(upstreams));
      if (route) lost(route, req.method ?? 'GET', 404, `unknown upstream "${route.name}"`);
      return;
    }
    const method = req.method ?? 'GET';

    let body: Buffer;
    try {
      body = await readBody(req, maxBody);
    } catch (e) {
      // An oversized body is not read to its end, so the connection cannot carry another request.
      if (e instanceof BodyTooLargeError)
        return refuse(res, route, method, 'too_large', `body over --max-body (${maxBody} bytes)`, {
          connection: 'close',
        });
      if (closedByTimeout(req.socket))
        return lost(
          route,
          method,
          408,
          `request not complete within --body-timeout (${bodyTimeout} ms); closed`,
        );
      // The client left before its request was complete: nothing was sent upstream, nothing to record.
      log(`record ${method} /${route.name}${route.path} client went away before sending its body`);
      return;
    }
    // Deeper JSON could not be written (or matched later): refuse it before anything is forwarded.
    // The scan costs nothing for bodies shorter than the limit.
    if (bytesExceedDepth(body) && parsesAsJson(body))
      return refuse(
        res,
        route,
        method,
        'invalid_request',
        `JSON body nests deeper than ${MAX_JSON_DEPTH} levels`,
      );
    const url = upstreamUrl(base, route);
    const mySeq = ++seq;
    const capture = await forward({ req, res, url, body, dispatcher });
    let gatewayReply: ErrorReply | null = null;
    if (capture.status === null && capture.outcome === 'upstream_error') {
      const family = routeOf(route.path).family;
      gatewayReply = providerError(
        family,
        providerOf(route.name, family),
        'bad_gateway',
        gatewayMessage(route.name, capture.error),
      );
      sendJson(res, gatewayReply.status, gatewayReply.body, gatewayReply.headers);
    }
    // The reply is out; let the next request's I/O go first, then do the bookkeeping.
    await new Promise((r) => setImmediate(r));
    let file: string;
    let call: Call;
    try {
      // Built after the reply is out, so recording adds no latency; what decides whether a call
      // can be stored at all (size, nesting) was checked on the bytes before forwarding.
      const part = buildRequestPart({ route, upstreamName: route.name, url, req, body, redactor });
      call = buildCall({
        seq: mySeq,
        route,
        upstreamName: route.name,
        part,
        capture,
        redactor,
        prices,
        gatewayReply,
      });
      file = await writeCallFile(dir, call);
    } catch (e) {
      // The client already has its reply: all that is left is to say so, loudly, and fail --strict.
      return lost(
        route,
        method,
        capture.status ?? gatewayReply?.status ?? 0,
        `call #${mySeq} could not be stored: ${(e as Error).message}`,
      );
    }
    const events = call.response.stream ? ` ${call.response.stream.length} events` : '';
    const outcome =
      call.outcome === 'complete'
        ? ''
        : ` ${call.outcome}${capture.error ? ` (${capture.error})` : ''}`;
    log(
      `record #${mySeq} ${route.name} ${call.request.method} ${route.path} → ${call.response.status} ${Math.round(call.timing.totalMs)}ms${events}${outcome} ${file}`,
    );
  }

  const server = createServer(
    (req, res) => {
      const p = handle(req, res)
        .catch((e: Error) => {
          log(`record error: ${e.stack ?? e.message}`);
          sendJson(res, 500, {
            error: { message: `Tapedeck recorder error: ${e.message}`, type: 'tapedeck_error' },
          });
        })
        .finally(() => pending.delete(p));
      pending.add(p);
    },
    { bodyTimeoutMs: bodyTimeout },
  );
  // The port first: a recorder that cannot listen must not have created the folder.
  let listening: { url: string; port: number };
  try {
    listening = await listen(server, opts.port ?? 8080, opts.host ?? '127.0.0.1');
  } catch (e) {
    await dispatcher.close();
    throw e;
  }
  let inbound: RunningInbound;
  try {
    inbound = await startInboundFronts(opts.inbound ?? [], {
      dir,
      host: opts.host ?? '127.0.0.1',
      maxBodyBytes: maxBody,
      bodyTimeoutMs: bodyTimeout,
      ready,
      redactor: () => redactor,
      log,
      lost: (l) => notRecorded.push(l),
    });
  } catch (e) {
    await closeServer(server);
    await dispatcher.close();
    throw e;
  }
  try {
    await initSnapshotDir(dir, `tapedeck ${VERSION}`);
    logCleanUp(await cleanSnapshotSideFiles(dir), log);
    seq = await lastSeq(dir);
    const manifest = await readManifest(dir);
    prices = manifest?.prices;
    // Built once: a bad pattern or path stops the recorder before the first request.
    try {
      redactor = new Redactor(manifest?.redact, {
        bodyPaths: opts.redactBodyPaths,
        headers: opts.redactHeaders,
      });
    } catch (e) {
      throw new RecordConfigError((e as Error).message, { cause: e });
    }
    await inbound.prepare();
    folderReady(true);
  } catch (e) {
    folderReady(false);
    await inbound.close();
    await closeServer(server);
    await dispatcher.close();
    if (e instanceof RecordConfigError) throw e;
    throw new SnapshotDirError(`cannot record into ${dir}: ${folderProblem(e)}`);
  }
  const { url, port } = listening;
  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    get notRecorded() {
      return [...notRecorded];
    },
    inbound: inbound.fronts,
    close() {
      // Idempotent: a CLI signal and a test's cleanup may both close it.
      closing ??= (async () => {
        await Promise.all([closeServer(server), inbound.close()]);
        await Promise.all([...pending]);
        await dispatcher.close();
      })();
      return closing;
    },
  };
}

/** The one-line reason a folder cannot be recorded into. */
function folderProblem(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'EEXIST':
    case 'ENOTDIR':
      return 'a file is in the way of the folder or its calls/ folder';
    case 'EACCES':
    case 'EPERM':
      return 'no permission to create or write it';
    case 'EROFS':
      return 'the file system is read-only';
    default:
      return err.message;
  }
}
