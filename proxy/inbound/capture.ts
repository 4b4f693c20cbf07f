/**
 * `tapedeck record --inbound PORT=URL`: a reverse proxy in front of the user's own service. Each
 * request is forwarded to the app with the recorder's own forwarding (the reply streams back as it
 * arrives, SSE included, with backpressure), then written to `inbound/` redacted as call files are.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Agent } from 'undici';
import { inboundTargetUrl, type InboundFront } from '../../shared/inbound.js';
import { MAX_JSON_DEPTH, bytesExceedDepth } from '../../shared/limits.js';
import { redactHeaders, type Redactor } from '../../shared/redact.js';
import { INBOUND_FORMAT, type InboundExchange } from '../../shared/schema.js';
import { parsesAsJson } from '../body.js';
import { forward, type Capture } from '../forward.js';
import { BodyTooLargeError, flattenHeaders, readBody, sendJson } from '../http-util.js';
import { recordedResponse, redactedRequestBody, redactedUrl } from '../recording.js';
import { closeServer, closedByTimeout, createServer, listen } from '../server-util.js';
import { prepareInboundDir, writeInboundFile } from './file.js';

/** One inbound request that left no file (the recorder's NotRecorded, with `inbound:PORT` as upstream). */
export interface InboundLost {
  upstream: string;
  method: string;
  path: string;
  status: number;
  reason: string;
}

export interface InboundContext {
  dir: string;
  host: string;
  maxBodyBytes: number;
  bodyTimeoutMs: number;
  /** Resolves true once the snapshot folder is ready (and `redactor` final), false if it never is. */
  ready: Promise<boolean>;
  redactor: () => Redactor;
  log: (line: string) => void;
  lost: (l: InboundLost) => void;
}

export interface RunningFront {
  /** The port it listens on (the flag's, or the one picked for 0). */
  port: number;
  url: string;
  target: string;
}

export interface RunningInbound {
  readonly fronts: readonly RunningFront[];
  /** Creates `inbound/` and finds where numbering continues; run while the folder is prepared. */
  prepare(): Promise<void>;
  close(): Promise<void>;
}

function errorReply(
  res: ServerResponse,
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { error: { message, type } }, headers);
}

/** Starts listening on every front; requests wait until the folder is ready. */
export async function startInboundFronts(
  specs: readonly InboundFront[],
  ctx: InboundContext,
): Promise<RunningInbound> {
  const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: null });
  const servers: Array<{ server: ReturnType<typeof createServer>; front: RunningFront }> = [];
  const pending = new Set<Promise<void>>();
  let seq = 0;

  async function handle(
    front: RunningFront,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    if (!(await ctx.ready)) {
      res.destroy();
      return;
    }
    const recordedAt = new Date().toISOString();
    const redactor = ctx.redactor();
    const method = req.method ?? 'GET';
    const rawPath = req.url ?? '/';
    const upstream = `inbound:${front.port}`;
    const shownPath = redactedUrl(rawPath, redactor);
    const lost = (status: number, reason: string) => {
      ctx.lost({ upstream, method, path: shownPath, status, reason });
      ctx.log(
        `inbound ${front.port} ${method} ${shownPath} → ${status || 'closed'} NOT RECORDED: ${reason}`,
      );
    };
    if (!rawPath.startsWith('/')) {
      errorReply(
        res,
        400,
        'tapedeck_bad_request',
        `Tapedeck: request target "${shownPath}" is not a path; send /PATH to the inbound front`,
      );
      return lost(400, 'request target is not a path');
    }

    let body: Buffer;
    try {
      body = await readBody(req, ctx.maxBodyBytes);
    } catch (e) {
      if (e instanceof BodyTooLargeError) {
        // Not read to its end, so the connection cannot carry another request.
        errorReply(
          res,
          413,
          'tapedeck_too_large',
          `Tapedeck: request refused, not forwarded: body over --max-body (${ctx.maxBodyBytes} bytes).`,
          { connection: 'close' },
        );
        return lost(413, `body over --max-body (${ctx.maxBodyBytes} bytes)`);
      }
      if (closedByTimeout(req.socket))
        return lost(
          408,
          `request not complete within --body-timeout (${ctx.bodyTimeoutMs} ms); closed`,
        );
      ctx.log(
        `inbound ${front.port} ${method} ${shownPath} client went away before sending its body`,
      );
      return;
    }
    // Deeper JSON could not be written: refused before the app sees it, as the recorder does.
    if (bytesExceedDepth(body) && parsesAsJson(body)) {
      errorReply(
        res,
        400,
        'tapedeck_too_deep',
        `Tapedeck: request refused, not forwarded: JSON body nests deeper than ${MAX_JSON_DEPTH} levels.`,
      );
      return lost(400, `JSON body nests deeper than ${MAX_JSON_DEPTH} levels`);
    }

    const mySeq = ++seq;
    const capture: Capture = await forward({
      req,
      res,
      url: inboundTargetUrl(front.target, rawPath),
      body,
      dispatcher,
    });
    if (capture.status === null && capture.outcome === 'upstream_error') {
      // The app gave no reply: there is no exchange to replay, only our error.
      errorReply(
        res,
        502,
        'tapedeck_bad_gateway',
        `Tapedeck: the app at ${front.target} could not be reached: ${capture.error ?? 'unknown error'}`,
      );
      return lost(
        502,
        `the app at ${front.target} could not be reached: ${capture.error ?? 'unknown error'}`,
      );
    }
    // The reply is out; let the next request's I/O go first, then do the bookkeeping.
    await new Promise((r) => setImmediate(r));
    const reqHeaders = flattenHeaders(req.headers);
    const exchange: InboundExchange = {
      format: INBOUND_FORMAT,
      seq: mySeq,
      recordedAt,
      listen: String(front.port),
      request: {
        method,
        path: shownPath,
        headers: redactHeaders(reqHeaders, redactor.headers, redactor.text),
        ...redactedRequestBody(body, reqHeaders['content-type'], redactor),
      },
      response: recordedResponse(capture, redactor, null),
      timing: { ttfbMs: capture.ttfbMs, totalMs: capture.totalMs },
      outcome: capture.outcome,
    };
    let file: string;
    try {
      file = await writeInboundFile(ctx.dir, exchange);
    } catch (e) {
      // The client already has its reply: say so, loudly, and fail --strict.
      return lost(
        capture.status ?? 0,
        `inbound #${mySeq} could not be stored: ${(e as Error).message}`,
      );
    }
    const events = exchange.response.stream ? ` ${exchange.response.stream.length} events` : '';
    const outcome =
      capture.outcome === 'complete'
        ? ''
        : ` ${capture.outcome}${capture.error ? ` (${capture.error})` : ''}`;
    ctx.log(
      `inbound #${mySeq} ${front.port} ${method} ${shownPath} → ${exchange.response.status} ${Math.round(capture.totalMs)}ms${events}${outcome} ${file}`,
    );
  }

  async function closeAll(): Promise<void> {
    await Promise.all(servers.map((s) => closeServer(s.server)));
    await Promise.all([...pending]);
    await dispatcher.close();
  }

  try {
    for (const spec of specs) {
      const front: RunningFront = { port: spec.port, url: '', target: spec.target };
      const server = createServer(
        (req, res) => {
          const p = handle(front, req, res)
            .catch((e: Error) => {
              ctx.log(`inbound error: ${e.stack ?? e.message}`);
              if (!res.headersSent)
                errorReply(res, 500, 'tapedeck_error', `Tapedeck inbound error: ${e.message}`);
              else res.destroy();
            })
            .finally(() => pending.delete(p));
          pending.add(p);
        },
        { bodyTimeoutMs: ctx.bodyTimeoutMs },
      );
      const at = await listen(server, spec.port, ctx.host);
      front.port = at.port;
      front.url = at.url;
      servers.push({ server, front });
    }
  } catch (e) {
    await closeAll();
    throw e;
  }

  let closing: Promise<void> | null = null;
  return {
    fronts: servers.map((s) => s.front),
    async prepare() {
      if (specs.length > 0) seq = await prepareInboundDir(ctx.dir);
    },
    close() {
      closing ??= closeAll();
      return closing;
    },
  };
}
