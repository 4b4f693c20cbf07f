/**
 * One request through the stages: parse → match → plan faults → answer, then one event on the bus.
 * The state a reload replaces (index, call refs) lives here; the stages themselves keep none.
 */
import { ServerResponse, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { FaultEngine, FiredFault } from '../../shared/faults/engine.js';
import { TEST_HEADER } from '../../shared/test-header.js';
import { CONTROL_NAME, parseRoute, type Route } from '../../shared/upstreams.js';
import { sendJson } from '../http-util.js';
import type { ReplySink } from '../reply-sink.js';
import { Entry, type ReplayIndex } from '../replay-index.js';
import { answer, refuse, type AnswerContext } from './answer.js';
import type { CallRefs } from './calls.js';
import { control, type ControlContext } from './control.js';
import type { EventBus, EventRequest, MissInfo, MockEvent, Refusal } from './events.js';
import { matchRequest, type MatchMiss } from './match.js';
import type { MissGroups } from './miss-groups.js';
import {
  Parsed,
  TOO_DEEP_REASON,
  addressed,
  readRequestBody,
  type Addressed,
  type Limits,
} from './parse.js';
import { planFaults } from './plan.js';
import { testIdOf, type TestScope, type TestScopes } from './test-scopes.js';
import type { RetryDetector } from './retries.js';
import { recordKey, type MissRecorder } from './record-miss.js';
import type { InFlight, MockStats } from './stats.js';
import { ttfbOf } from './timed-response.js';
import type { VendorSamples } from './vendor-samples.js';

const NONE: readonly FiredFault[] = Object.freeze([]);
const NO_ROUTE = 'Tapedeck: requests go to /NAME/PATH, e.g. /openai/v1/chat/completions';

export interface Loaded {
  index: ReplayIndex;
  refs: CallRefs;
}

export class Pipeline {
  private requestNo = 0;
  /** performance.now() of the start (or the last reset): the faults' time windows count from it. */
  startedAt = performance.now();

  constructor(
    public loaded: Loaded,
    private readonly engine: FaultEngine | null,
    private readonly limits: Limits,
    private readonly answers: AnswerContext,
    /** The control endpoints (/__tapedeck/*, /metrics); null: they answer 404, as in process. */
    private readonly controls: () => ControlContext | null,
    private readonly bus: EventBus,
    private readonly stats: MockStats,
    /** The distinct misses of the live link; only misses reach it. */
    private readonly misses: MissGroups,
    /** Null in process, where no stats are served to count retries in. */
    private readonly retries: RetryDetector | null,
    /** Each `x-tapedeck-test` id's own sequences, fault counters, clock and misses. */
    private readonly tests: TestScopes,
    /** Set under --record-misses: unmatched requests are forwarded and written as new calls. */
    private readonly recorder: MissRecorder | null = null,
    /** The second-by-second vendor side (`/__tapedeck/samples`); null in process, which serves none. */
    private readonly samples: VendorSamples | null = null,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    // Prometheus scrapes /metrics by default: served there as well as under /__tapedeck.
    const controls = this.controls();
    if (controls && (url === '/metrics' || url.startsWith('/metrics?')))
      return control(controls, req, res, { name: CONTROL_NAME, path: '/metrics', search: '' });
    const route = parseRoute(url);
    if (route?.name === CONTROL_NAME) {
      if (controls) return control(controls, req, res, route);
      return sendJson(res, 404, {
        error: { message: 'Tapedeck: no control endpoints here', type: 'tapedeck' },
      });
    }
    const id = ++this.requestNo;
    const method = (req.method ?? 'GET').toUpperCase();
    const arrived = performance.now();
    if (!route) {
      sendJson(res, 404, { error: { message: NO_ROUTE, type: 'tapedeck' } });
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      return this.bus.publish({
        outcome: 'unrouted',
        request: requestOf(id, method, '', path, arrived),
        status: res.headersSent ? 404 : 0,
        faults: NONE,
        timings: timingsOf(res, arrived),
      });
    }
    const at = addressed(id, method, route, arrived);
    const read = await readRequestBody(req, this.limits);
    if (read === null) return;
    if (!read.ok) return this.refused(res, at, read.refusal, read.reason);
    // headersDistinct: a test header sent twice is refused, not joined into one id. Built only
    // when there is one: it copies every header.
    const distinct = req.headers[TEST_HEADER] === undefined ? req.headers : req.headersDistinct;
    return this.serve(at, read.raw, req.headers, req, res, distinct);
  }

  /**
   * A request whose body is already read, answered into `sink` without a socket: the in-process
   * mock of `tapedeck/testing`. The same stages and the same event as `handle`.
   */
  handleRead(
    method: string,
    route: Route,
    headers: IncomingHttpHeaders,
    raw: Buffer,
    sink: ReplySink,
  ): Promise<void> {
    const at = addressed(++this.requestNo, method.toUpperCase(), route, performance.now());
    if (raw.length > this.limits.maxBodyBytes) {
      this.refused(sink, at, 'too_large', `body over maxBodyBytes (${this.limits.maxBodyBytes})`);
      return Promise.resolve();
    }
    return this.serve(at, raw, headers, null, sink);
  }

  private async serve(
    at: Addressed,
    raw: Buffer,
    headers: IncomingHttpHeaders,
    /** The node request, when there is one: --record-misses and --passthrough forward it. */
    req: IncomingMessage | null,
    res: ReplySink,
    distinct: Readonly<Record<string, string | readonly string[] | undefined>> = headers,
  ): Promise<void> {
    const { route, method, arrived } = at;
    const t = testIdOf(distinct);
    // A bad id is refused: falling back to the shared state would bring back the drift it prevents.
    if (t.kind === 'invalid') return this.refused(res, at, 'bad_test', t.reason);
    const scope = t.kind === 'test' ? this.tests.scope(t.id) : null;
    const p = new Parsed(at, raw, headers['content-type'], performance.now());
    const { index } = this.loaded;
    const positions = scope?.positionsFor(index.matcher);
    let matched = matchRequest(index, p, positions);
    if (matched.kind === 'too_deep')
      return this.refused(res, at, 'too_deep', TOO_DEEP_REASON, scope);
    let key: string | null = null;
    if (matched.kind === 'miss' && this.recorder && req) {
      key = recordKey(route.name, method, route.path, route.search, p.raw);
      const under = this.recorder.pending(key);
      // The same request is being recorded: once it is in the index, this one hits it.
      if (under) {
        await under;
        const now = this.loaded.index;
        matched = matchRequest(now, p, scope?.positionsFor(now.matcher));
      }
    }
    if (matched.kind === 'too_deep')
      return this.refused(res, at, 'too_deep', TOO_DEEP_REASON, scope);
    const { refs } = this.loaded;
    const entry = matched.kind === 'hit' ? matched.call : null;
    const miss = matched.kind === 'miss' ? matched : null;
    const time = epochOf(arrived);
    const retry = this.retries?.check(route.name, route.path, headers, raw, time) ?? false;
    const since = p.start - (scope?.startedAt ?? this.startedAt);
    const plan = planFaults(this.engine, p, entry, since, scope?.faults);
    // An error fault still answers a miss as it would without recording (a 429 is not recorded).
    if (
      miss &&
      key !== null &&
      this.recorder &&
      req &&
      res instanceof ServerResponse &&
      !plan?.error
    )
      return this.record(req, res, p, miss, key, this.recorder, retry, scope);
    const flight: InFlight = { upstream: route.name, fired: NONE };
    this.stats.inFlight.add(flight);
    const sampled = this.samples?.start(route.name, res);
    let sent;
    try {
      sent = await answer(this.answers, req, res, p, entry, miss, plan, flight);
    } finally {
      this.stats.inFlight.delete(flight);
      sampled?.end();
    }
    const request = requestOf(at.id, method, route.name, route.path, arrived, retry, scope);
    const timings = timingsOf(res, p.start);
    const gaveUp = gaveUpOf(res);
    const { status, fired: faults } = sent;
    const base = { request, status, faults, timings, gaveUp };
    let event: MockEvent;
    if (entry) {
      const hit = refs.of(entry);
      this.stats.replayed.hit(entry.call, entry.file);
      // An error in place of the reply is not what the provider would have billed for.
      const costAvoidedUsd = plan?.error ? null : hit.costUsd;
      event = { outcome: 'hit', ...base, hit, costAvoidedUsd };
    } else {
      const keyed = this.grouped(p, headers, miss, time);
      if (sent.passthrough !== null) {
        const answered = sent.passthrough === 'answered';
        event = { outcome: 'passthrough', ...base, answered, miss: keyed };
      } else event = { outcome: 'miss', ...base, miss: keyed };
    }
    this.publish(scope, event);
  }

  /** The miss added to its group (the live link's distinct misses), with the group's key. */
  private grouped(
    p: Parsed,
    headers: IncomingHttpHeaders,
    miss: MatchMiss | null,
    time: number,
  ): MissInfo {
    const { index, refs } = this.loaded;
    const info = missInfo(refs, miss);
    const key = this.misses.add(
      {
        p,
        headers,
        closest: miss?.closest ?? null,
        closestRef: info.closest,
        diff: info.diff,
        items: miss?.items ?? [],
        redact: index.redact,
      },
      time,
    );
    return { ...info, key };
  }

  /**
   * --record-misses: the miss forwarded and written. Published as `recorded` only once the call
   * is on disk and in the index; a request whose call is not written stays a miss.
   */
  private async record(
    req: IncomingMessage,
    res: ServerResponse,
    p: Parsed,
    miss: MatchMiss,
    key: string,
    recorder: MissRecorder,
    retry: boolean,
    scope: TestScope | null,
  ): Promise<void> {
    const { route, id, method, arrived } = p.at;
    const flight: InFlight = { upstream: route.name, fired: NONE };
    this.stats.inFlight.add(flight);
    const sampled = this.samples?.start(route.name, res);
    let out;
    let status: number;
    try {
      out = await recorder.live(key, route, { method, headers: req.headers }, p.raw, res);
      if (out.kind === 'unrecordable') {
        this.answers.log(
          `tapedeck: ${route.name} ${method} ${route.path} NOT RECORDED: ${out.reason}`,
        );
        status = (await answer(this.answers, req, res, p, null, miss, null, flight)).status;
      } else status = out.status;
    } finally {
      this.stats.inFlight.delete(flight);
      sampled?.end();
    }
    if (!res.headersSent) status = 0;
    const request = requestOf(id, method, route.name, route.path, arrived, retry, scope);
    const timings = timingsOf(res, p.start);
    const gaveUp = gaveUpOf(res);
    if (out.kind === 'recorded') {
      const info = missInfo(this.loaded.refs, miss);
      const recorded = this.loaded.refs.of(new Entry(out.loaded));
      this.publish(scope, {
        outcome: 'recorded',
        request,
        status,
        faults: NONE,
        timings,
        gaveUp,
        recorded,
        miss: info,
      });
    } else {
      const keyed = this.grouped(p, req.headers, miss, request.time);
      this.publish(scope, {
        outcome: 'miss',
        request,
        status,
        faults: NONE,
        timings,
        gaveUp,
        miss: keyed,
      });
    }
  }

  /** The test's scope hears of the event before the bus: its counts are current for any listener. */
  private publish(scope: TestScope | null, event: MockEvent): void {
    scope?.add(event);
    this.bus.publish(event);
  }

  /** Requests that could not be compared (too large, too deep, too slow) count as unmatched. */

  private refused(
    res: ReplySink,
    at: Addressed,
    refused: Refusal,
    reason: string,
    scope: TestScope | null = null,
  ): void {
    const status = refuse(res, at, refused, reason);
    this.misses.addRefused(at, reason, epochOf(at.arrived), this.loaded.index.redact);
    this.publish(scope, {
      outcome: 'refused',
      request: requestOf(at.id, at.method, at.route.name, at.route.path, at.arrived, false, scope),
      status,
      faults: NONE,
      timings: timingsOf(res, at.arrived),
      refused,
      reason,
    });
  }

  /** Starts one test's sequences, fault counters, clock and misses over (see test-scopes.ts). */
  resetTest(test: string): void {
    this.tests.reset(test);
  }

  reset(): void {
    this.tests.clear();
    this.misses.reset();
    this.retries?.reset();
    this.loaded.index.matcher.reset();
    this.engine?.reset();
    this.startedAt = performance.now();
  }
}

function requestOf(
  id: number,
  method: string,
  upstream: string,
  path: string,
  arrived: number,
  retry = false,
  scope: TestScope | null = null,
): EventRequest {
  const time = epochOf(arrived);
  // `retry` and `test` only when there is one: most events carry neither key.
  const request: { -readonly [K in keyof EventRequest]: EventRequest[K] } = {
    id,
    method,
    upstream,
    path,
    time,
  };
  if (retry) request.retry = true;
  if (scope) request.test = scope.id;
  return request;
}

/** The epoch time from the clock already read: no Date per request. */
const epochOf = (at: number): number => Math.round(performance.timeOrigin + at);

/** `true` only: an event says it when the client gave up, and nothing otherwise. */
const gaveUpOf = (res: ReplySink): true | undefined => (res.clientLeft === true ? true : undefined);

function timingsOf(res: ReplySink, since: number): MockEvent['timings'] {
  return { ttfbMs: ttfbOf(res, since), totalMs: performance.now() - since };
}

function missInfo(refs: CallRefs, miss: MatchMiss | null): MissInfo {
  return {
    closest: miss?.closest ? refs.of(miss.closest) : null,
    diff: miss?.diff ?? NO_DIFF,
  };
}

const NO_DIFF: readonly string[] = Object.freeze([]);
