/**
 * The snapshot contract (format tapedeck/2; older files are upgraded on read by migrations.ts): one zod definition per file kind, used by the store
 * to validate on load, by the recorder to write, and exported as JSON Schema for the editor.
 */
import { z } from 'zod';
import { MAX_JSON_DEPTH, exceedsDepth } from './limits.js';
import { signatureIssues, signatureTooDeep } from './matching/signature-check.js';
import { compileNormalizers } from './matching/normalize.js';
import { parseIgnorePath } from './matching/json-path.js';
import { checkRedactRules } from './redact.js';

export const FORMAT_VERSION = 2;
export const FORMAT = `tapedeck/${FORMAT_VERSION}`;

const tooDeep = `nested deeper than ${MAX_JSON_DEPTH} levels, the most Tapedeck accepts`;

// Bodies and signature parts are parsed JSON; typed `unknown` so code narrows before use. Their
// depth is bounded here, in the schema, so a file nested thousands of levels deep is one load
// error (and a refused save) instead of a stack overflow in whatever walks it next.
const json = z.unknown().refine((v) => !exceedsDepth(v, MAX_JSON_DEPTH), tooDeep);
const signaturePart = z
  .unknown()
  .refine(
    (v) => !signatureTooDeep(v, MAX_JSON_DEPTH),
    `${tooDeep} ($literal wrappers not counted)`,
  );

export const Headers = z.record(z.string(), z.string());

/** Exactly one of body (JSON), bodyText (UTF-8), bodyBase64 (binary); none for an empty body. */
const bodyFields = {
  body: json.optional(),
  bodyText: z.string().optional(),
  bodyBase64: z.string().optional(),
};

function atMostOneBody(v: { body?: unknown; bodyText?: unknown; bodyBase64?: unknown }): boolean {
  return [v.body, v.bodyText, v.bodyBase64].filter((x) => x !== undefined).length <= 1;
}
const oneBodyMessage = 'give at most one of body, bodyText, bodyBase64';

export const StreamEvent = z
  .object({
    at: z.number().nonnegative().describe('ms since the request started'),
    event: z.string().optional(),
    data: z.string().optional(),
    id: z.string().optional(),
    retry: z.number().int().nonnegative().optional(),
    comment: z.string().optional().describe('an SSE comment line (": …"), kept for fidelity'),
    // AWS event-stream frames (Bedrock converse-stream) are stored as `event` + `data` too; these
    // two hold what those cannot say, so the frame re-encodes to the bytes that were recorded.
    headersBase64: z
      .base64()
      .optional()
      .describe(
        "an AWS event-stream frame's header block, kept only when the standard headers for `event` differ from it",
      ),
    dataBase64: z
      .base64()
      .optional()
      .describe('an AWS event-stream frame payload that is not UTF-8 (then there is no `data`)'),
    raw: z
      .string()
      .optional()
      .describe(
        "this event's exact text on the wire, where streamFormat cannot rebuild it; used while the event still reads as the fields above",
      ),
  })
  .strict();
export type StreamEvent = z.infer<typeof StreamEvent>;

export const RecordedRequest = z
  .object({ method: z.string(), url: z.string(), headers: Headers, ...bodyFields })
  .strict()
  .refine(atMostOneBody, oneBodyMessage);
export type RecordedRequest = z.infer<typeof RecordedRequest>;

/** How a JSON reply was spelled (docs/byte-exact.md): what rebuilds its exact bytes from `body`. */
export const BodyFormat = z
  .object({
    indent: z.string().optional().describe('one level of indentation; absent: one line'),
    eol: z.string().optional().describe('line break of an indented layout (default "\\n")'),
    colon: z.string().optional().describe('between a key and its value'),
    comma: z.string().optional().describe('after each item but the last'),
    ascii: z.boolean().optional().describe('non-ASCII characters written as \\uXXXX'),
    before: z.string().optional().describe('bytes before the value'),
    after: z.string().optional().describe('bytes after the value, e.g. a trailing newline'),
    literals: z
      .record(z.string(), z.string())
      .optional()
      .describe(
        'JSON path → the token as sent ("1.0", "-0.0"), used while the value there is equal',
      ),
    keys: z
      .record(z.string(), z.array(z.string()))
      .optional()
      .describe('JSON path → key order as sent, where a JS object orders keys differently'),
    raw: z
      .string()
      .optional()
      .describe('the exact text, only where the rest cannot rebuild it; used while body equals it'),
  })
  .strict();
export type BodyFormat = z.infer<typeof BodyFormat>;

/** How an SSE stream was framed (docs/byte-exact.md). */
export const StreamFormat = z
  .object({
    eol: z.string().optional().describe('line ending (default "\\n")'),
    space: z.boolean().optional().describe('false: "data:x", without a space after the colon'),
    order: z
      .array(z.enum(['event', 'id', 'retry', 'data']))
      .optional()
      .describe('field order of an event'),
    end: z.string().optional().describe('bytes after the last event'),
  })
  .strict();
export type StreamFormat = z.infer<typeof StreamFormat>;

export const RecordedResponse = z
  .object({
    status: z.number().int().min(100).max(599),
    headers: Headers,
    ...bodyFields,
    bodyFormat: BodyFormat.optional().describe('how body was spelled on the wire'),
    stream: z.array(StreamEvent).optional().describe('SSE events with their arrival times'),
    streamFormat: StreamFormat.optional().describe('how the stream was framed on the wire'),
  })
  .strict()
  .refine(
    (v) => atMostOneBody(v) && !(v.stream && (v.body ?? v.bodyText ?? v.bodyBase64) !== undefined),
    'give at most one of body, bodyText, bodyBase64, stream',
  );
export type RecordedResponse = z.infer<typeof RecordedResponse>;

const tokenCounts = {
  inputTokens: z.number().nonnegative(),
  outputTokens: z.number().nonnegative(),
  cacheReadTokens: z.number().nonnegative(),
  cacheWriteTokens: z.number().nonnegative(),
  reasoningTokens: z.number().nonnegative(),
};

/** One model's share of a call that ran several (Anthropic's advisor tool). */
export const ModelUsage = z.object({ model: z.string(), ...tokenCounts }).strict();
export type ModelUsage = z.infer<typeof ModelUsage>;

export const Usage = z
  .object({
    ...tokenCounts,
    source: z.enum(['provider', 'estimated']),
    byModel: z
      .array(ModelUsage)
      .optional()
      .describe(
        'per model when the call ran several, its own model first; the totals are their sum',
      ),
  })
  .strict();
export type Usage = z.infer<typeof Usage>;

export const Signature = z
  .object({
    upstream: z.string().optional(),
    method: z.string().optional(),
    path: z.string().optional().describe('"*" and globs allowed'),
    query: signaturePart.optional(),
    body: signaturePart
      .optional()
      .describe(
        '"*", "foo*", {"$regex": "…"}, {"$any": true} match by pattern; a missing key is not compared',
      ),
    ignore: z
      .array(z.string())
      .optional()
      .describe('JSON paths left out of comparison, e.g. $.messages[0].content'),
  })
  .strict()
  // A pattern that cannot compile is refused here, where load and save both see it.
  .superRefine((sig, ctx) => {
    for (const issue of signatureIssues(sig))
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  });
export type Signature = z.infer<typeof Signature>;

// ---- Faults: one schema for call files, tapedeck.json and scenarios/NAME.json ----

const Distribution = z.union([
  z.object({ fixed: z.number().nonnegative() }).strict(),
  z.object({ uniform: z.tuple([z.number().nonnegative(), z.number().nonnegative()]) }).strict(),
  z
    .object({ normal: z.object({ mean: z.number(), sd: z.number().nonnegative() }).strict() })
    .strict(),
  z
    .object({
      lognormal: z.object({ median: z.number().positive(), p95: z.number().positive() }).strict(),
    })
    .strict(),
]);
export type Distribution = z.infer<typeof Distribution>;

export const FaultScope = z
  .object({
    upstream: z.string().optional(),
    provider: z.string().optional(),
    model: z.string().optional().describe('glob, e.g. claude-*'),
    path: z.string().optional().describe('glob, e.g. /v1/*'),
  })
  .strict();

export const FaultWhen = z
  .object({
    requests: z
      .string()
      .regex(/^\d+(-\d*)?$/, 'a request range such as "21-30", "21-" or "7"')
      .optional(),
    every: z.number().int().positive().optional(),
    probability: z.number().min(0).max(1).optional(),
    afterMs: z.number().nonnegative().optional(),
  })
  .strict();

const faultCommon = {
  scope: FaultScope.optional(),
  when: FaultWhen.optional(),
  counter: z.enum(['upstream', 'call', 'global']).optional(),
  name: z.string().optional().describe('shown in logs and stats'),
};

export const Fault = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('latency'),
      ...faultCommon,
      ttfb: Distribution.optional(),
      perEvent: Distribution.optional(),
      scale: z.number().nonnegative().optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('rateLimit'),
      ...faultCommon,
      after: z.number().int().nonnegative().optional(),
      retryAfterS: z.number().nonnegative().optional(),
      for: z.number().int().positive().optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('serverError'),
      ...faultCommon,
      status: z.union([z.literal(500), z.literal(502), z.literal(503), z.literal(529)]),
    })
    .strict(),
  z
    .object({
      kind: z.literal('hang'),
      ...faultCommon,
      beforeHeadersMs: z.number().nonnegative().nullable().optional(),
      afterEvents: z.number().int().nonnegative().optional(),
      ms: z.number().nonnegative().nullable().optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('cutStream'),
      ...faultCommon,
      afterEvents: z.number().int().nonnegative(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('malformed'),
      ...faultCommon,
      mode: z.enum([
        'invalidJson',
        'truncate',
        'dropField',
        'wrongType',
        'toolName',
        'toolArgs',
        'textThenHalfTool',
      ]),
      path: z.string().optional(),
    })
    .strict(),
]);
export type Fault = z.infer<typeof Fault>;
export const Faults = z.array(Fault);

export const Normalizer = z
  .object({
    pattern: z.string().describe('a regular expression applied to every string in the request'),
    replace: z.string().default(''),
    flags: z.string().optional(),
  })
  .strict()
  .superRefine((n, ctx) => {
    try {
      compileNormalizers([n]);
    } catch (e) {
      ctx.addIssue({ code: 'custom', path: ['pattern'], message: (e as Error).message });
    }
  });
export type Normalizer = z.input<typeof Normalizer>;

const RedactPattern = z.union([
  z.string(),
  z.object({ pattern: z.string(), flags: z.string().optional() }).strict(),
]);

/** `tapedeck.json` → `redact`: what the recorder replaces with "[REDACTED]" (docs/redaction.md). */
export const RedactRules = z
  .object({
    builtin: z
      .boolean()
      .optional()
      .describe(
        'built-in detectors of key-shaped strings and credential-named fields (default true)',
      ),
    paths: z
      .array(z.string())
      .optional()
      .describe(
        'JSON paths into the request body whose whole value is replaced, e.g. $.messages[*].content; applied to live requests too, so any value there matches',
      ),
    responsePaths: z
      .array(z.string())
      .optional()
      .describe('JSON paths into the response body and into each JSON stream event'),
    patterns: z
      .array(RedactPattern)
      .optional()
      .describe(
        'regular expressions; every match in any string of request and response is replaced, e.g. "\\b\\d{3}-\\d{2}-\\d{4}\\b"',
      ),
    headers: z
      .array(z.string())
      .optional()
      .describe('header names redacted on top of the built-in list'),
  })
  .strict()
  .superRefine((rules, ctx) => {
    const reason = checkRedactRules(rules);
    if (reason !== null) ctx.addIssue({ code: 'custom', message: reason });
  });
export type RedactRules = z.input<typeof RedactRules>;

export const PriceOverride = z
  .object({
    inputMtok: z.number().nonnegative(),
    outputMtok: z.number().nonnegative(),
    cacheReadMtok: z.number().nonnegative().optional(),
    cacheWriteMtok: z.number().nonnegative().optional(),
  })
  .strict();
export type PriceOverride = z.infer<typeof PriceOverride>;

/** A matching rule for every call on one route (issue #10's "a rule for every call"). */
export const MatchRule = z
  .object({
    upstream: z.string().min(1).describe('upstream name; globs allowed'),
    path: z.string().min(1).describe('request path, e.g. /v1/chat/completions; globs allowed'),
    model: z
      .string()
      .optional()
      .describe('only calls whose request names this model; globs allowed'),
    ignore: z
      .array(z.string())
      .min(1)
      .describe('JSON paths left out of comparison for every call in scope, as in a signature'),
  })
  .strict()
  // Refused as a signature's bad ignore path is: one load error of tapedeck.json naming the place.
  .superRefine((rule, ctx) => {
    rule.ignore.forEach((p, i) => {
      try {
        parseIgnorePath(p);
      } catch (e) {
        ctx.addIssue({ code: 'custom', path: ['ignore', i], message: (e as Error).message });
      }
    });
  });
export type MatchRule = z.infer<typeof MatchRule>;

export const Manifest = z
  .object({
    $schema: z.string().optional(),
    format: z.string().regex(/^tapedeck\/\d+$/),
    createdAt: z.string().optional(),
    recorder: z.string().optional(),
    notes: z.string().optional(),
    normalizers: z.array(Normalizer).optional(),
    rules: z
      .array(MatchRule)
      .optional()
      .describe(
        'ignore paths applied to every call on a route (upstream + path, and model if given)',
      ),
    redact: RedactRules.optional(),
    faults: Faults.optional(),
    prices: z
      .record(z.string(), PriceOverride)
      .optional()
      .describe('USD per million tokens, keyed by model glob'),
  })
  .strict();
export type Manifest = z.infer<typeof Manifest>;

export const Scenario = z
  .object({ $schema: z.string().optional(), description: z.string().optional(), faults: Faults })
  .strict();
export type Scenario = z.infer<typeof Scenario>;

export const Outcome = z.enum(['complete', 'aborted', 'upstream_error']);
export type Outcome = z.infer<typeof Outcome>;

export const Call = z
  .object({
    $schema: z.string().optional(),
    format: z
      .string()
      .regex(/^tapedeck\/\d+$/)
      .optional(),
    id: z.string().min(1),
    seq: z.number().int().nonnegative(),
    recordedAt: z.string(),
    upstream: z.string(),
    provider: z.string(),
    api: z.string(),
    route: z.object({ family: z.string(), api: z.string(), path: z.string() }).strict().optional(),
    model: z.string().nullable(),
    request: RecordedRequest,
    response: RecordedResponse,
    outcome: Outcome,
    timing: z
      .object({ ttfbMs: z.number().nonnegative(), totalMs: z.number().nonnegative() })
      .strict(),
    usage: Usage.nullable(),
    costUsd: z.number().nonnegative().nullable(),
    costSource: z.enum(['provider', 'price-table', 'none']),
    signature: Signature,
    faults: Faults.optional(),
  })
  .strict();
export type Call = z.infer<typeof Call>;

/** One shape for every load error (CLI, stats, UI). */
export interface LoadError {
  file: string;
  line?: number;
  reason: string;
}

// ---- `tapedeck mock --report FILE` (shared/mock-link.ts's MockReport) ----

const DiffItemSchema = z
  .object({
    part: z.enum(['upstream', 'method', 'path', 'query', 'body']),
    path: z.string(),
    kind: z.enum(['differs', 'missing', 'extra']),
    recorded: z.unknown().optional(),
    request: z.unknown().optional(),
  })
  .strict();

const MissGroupSchema = z
  .object({
    key: z.string(),
    count: z.number().int().positive(),
    firstSeen: z.string(),
    lastSeen: z.string(),
    upstream: z.string(),
    method: z.string(),
    path: z.string(),
    query: z.record(z.string(), z.union([z.string(), z.array(z.string())])).nullable(),
    body: z.unknown(),
    model: z.string().nullable(),
    closest: z
      .object({ call: z.string(), file: z.string(), seq: z.number().int().nonnegative() })
      .strict()
      .nullable(),
    signature: Signature.nullable(),
    diff: z.array(z.string()),
    items: z.array(DiffItemSchema),
    reason: z.string().optional(),
    recordable: z.boolean(),
  })
  .strict();

const count = z.number().int().nonnegative();

export const Report = z
  .object({
    $schema: z.string().optional(),
    format: z.literal('tapedeck-report/1'),
    dir: z.string(),
    startedAt: z.string(),
    endedAt: z.string(),
    scenario: z.string().nullable(),
    requests: count,
    hits: count,
    unmatched: count,
    costAvoidedUsd: z.number().nonnegative(),
    calls: z.array(z.object({ call: z.string(), file: z.string(), hits: count }).strict()),
    unused: z.array(z.string()),
    faults: z.record(z.string(), count),
    upstreams: z.record(
      z.string(),
      z.object({ requests: count, matched: count, unmatched: count, retries: count }).strict(),
    ),
    misses: z.array(MissGroupSchema),
  })
  .strict();
export type Report = z.infer<typeof Report>;

/**
 * One request to the user's own service and its reply, captured by `tapedeck record --inbound`
 * (issue #12) into `snap/inbound/`, replayed against the service by `tapedeck load`.
 */
export const INBOUND_FORMAT = 'tapedeck-inbound/1';
export const InboundExchange = z
  .object({
    format: z.literal(INBOUND_FORMAT),
    seq: z.number().int().nonnegative().describe('order of capture, from 1'),
    recordedAt: z.string().describe('ISO 8601 time the request arrived'),
    /** The front the app was reached through (`4143` of `--inbound 4143=URL`). */
    listen: z.string().describe('the --inbound front (PORT) the request came in on'),
    request: z
      .object({
        method: z.string(),
        path: z.string().describe('path and query, as the client sent them'),
        headers: Headers,
        ...bodyFields,
      })
      .strict()
      .refine(atMostOneBody, oneBodyMessage),
    response: RecordedResponse,
    timing: z
      .object({ ttfbMs: z.number().nonnegative(), totalMs: z.number().nonnegative() })
      .strict(),
    outcome: Outcome,
  })
  .strict();
export type InboundExchange = z.infer<typeof InboundExchange>;

/** `tapedeck load`'s record of one run (`snap/runs/RUN.json`, issue #12). */
export const RUN_FORMAT = 'tapedeck-run/1';
const LatencyMs = z
  .object({
    avg: z.number().nonnegative(),
    p50: z.number().nonnegative(),
    p95: z.number().nonnegative(),
    p99: z.number().nonnegative(),
  })
  .strict();
/**
 * One upstream during one second, as the mock saw it (`GET /__tapedeck/samples`, issue #12 item 3).
 * Counts are of requests that ended in the second; peaks are over the second.
 */
export const VendorSecond = z
  .object({
    requests: z.number().int().nonnegative().describe('requests that ended in this second'),
    inFlight: z
      .number()
      .int()
      .nonnegative()
      .describe('peak requests open at this upstream (arrived, reply not ended)'),
    waiting: z
      .number()
      .int()
      .nonnegative()
      .describe("peak requests still waiting for their first byte: the vendor's queue"),
    ttfbP50Ms: z.number().nonnegative().nullable(),
    ttfbP95Ms: z.number().nonnegative().nullable(),
    p95Ms: z.number().nonnegative().nullable().describe('p95 time to the end of the reply'),
    retries: z.number().int().nonnegative(),
    giveUps: z
      .number()
      .int()
      .nonnegative()
      .describe('clients that left before the reply ended (timeouts, aborts, resets)'),
    errors: z.number().int().nonnegative().describe('replies sent with a status >= 400'),
    faults: z.record(z.string(), z.number().int().nonnegative()).describe('fired, by kind'),
    malformed: z
      .number()
      .int()
      .nonnegative()
      .describe('malformed-reply faults: parser-error risk, counted apart from other failures'),
    histograms: z
      .object({
        ttfbMs: z.record(z.string(), z.number().int().positive()),
        totalMs: z.record(z.string(), z.number().int().positive()),
      })
      .strict()
      .optional()
      .describe(
        'the TTFB and total times as log buckets (shared/load/histogram.ts: index → count), so percentiles over several seconds come from the requests themselves',
      ),
  })
  .strict();
export type VendorSecond = z.infer<typeof VendorSecond>;
export const SAMPLES_FORMAT = 'tapedeck-samples/1';
/** The body of `GET /__tapedeck/samples[?since=MS]`: the mock's last 15 minutes, second by second. */
export const MockSamples = z
  .object({
    format: z.literal(SAMPLES_FORMAT),
    now: z.number().describe('the mock clock, ms since the epoch'),
    intervalMs: z.number().int().positive(),
    seconds: z.array(
      z
        .object({
          t: z.number().describe("the second's start, ms since the epoch"),
          connections: z.number().int().nonnegative().describe('peak open client sockets'),
          upstreams: z.record(z.string(), VendorSecond),
        })
        .strict(),
    ),
  })
  .strict();
export type MockSamples = z.infer<typeof MockSamples>;
export const RunVendor = z
  .object({
    share: z.number().min(0).max(1).describe("this vendor's part of the step's vendor requests"),
    requests: z.number().int().nonnegative(),
    matched: z.number().int().nonnegative(),
    unmatched: z.number().int().nonnegative(),
    retries: z.number().int().nonnegative(),
    faults: z.record(z.string(), z.number().int().nonnegative()).describe('fired, by kind'),
    costAvoidedUsd: z.number().nonnegative(),
    p95Ms: z
      .number()
      .nonnegative()
      .optional()
      .describe("p95 time of this vendor's replies in the step, as the mock served them"),
    ttfbP95Ms: z.number().nonnegative().optional().describe('p95 time to first byte at the mock'),
    peakInFlight: z.number().int().nonnegative().optional(),
    peakWaiting: z.number().int().nonnegative().optional().describe('peak queue at the vendor'),
    giveUps: z.number().int().nonnegative().optional(),
    errors: z.number().int().nonnegative().optional(),
    malformed: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe('malformed-reply faults: parser-error risk'),
  })
  .strict();
export type RunVendor = z.infer<typeof RunVendor>;
/** One second of a step, for the charts: what finished in it. */
export const RunSecond = z
  .object({
    t: z.number().nonnegative().describe('seconds since the run started'),
    requests: z.number().int().nonnegative(),
    errors: z.number().int().nonnegative(),
    timeouts: z.number().int().nonnegative(),
    retries: z.number().int().nonnegative(),
    p95Ms: z.number().nonnegative().nullable(),
    vendors: z
      .record(z.string(), z.number().int().nonnegative())
      .describe('vendor requests in this second'),
    connections: z.number().int().nonnegative().optional().describe("the mock's peak sockets"),
    vendorSide: z
      .record(z.string(), VendorSecond)
      .optional()
      .describe('each upstream in this second, as the mock sampled it; absent without a mock'),
  })
  .strict();
export type RunSecond = z.infer<typeof RunSecond>;
export const RunStep = z
  .object({
    concurrency: z.number().int().positive(),
    requests: z.number().int().nonnegative().describe('requests sent to the target in this step'),
    errors: z
      .number()
      .int()
      .nonnegative()
      .describe('replies with status >= 400, and failed connections'),
    errorsByStatus: z
      .record(z.string(), z.number().int().nonnegative())
      .describe('"502": 3, "network": 1'),
    timeouts: z.number().int().nonnegative().describe('requests the client gave up on (--timeout)'),
    retries: z
      .number()
      .int()
      .nonnegative()
      .describe('vendor retries the mock saw (0 without a mock)'),
    retriesPerRequest: z.number().nonnegative(),
    durationMs: z.number().nonnegative(),
    rps: z.number().nonnegative(),
    latencyMs: LatencyMs,
    vendors: z.record(z.string(), RunVendor).describe('by upstream name; {} without a mock'),
    seconds: z.array(RunSecond),
  })
  .strict();
export type RunStep = z.infer<typeof RunStep>;
export const RunReport = z
  .object({
    format: z.literal(RUN_FORMAT),
    id: z.string().describe('the file name without .json'),
    startedAt: z.string(),
    finishedAt: z.string(),
    target: z.string(),
    source: z.string().describe('the snapshot folder (--from) or the --requests file'),
    mock: z
      .object({ url: z.string(), dir: z.string(), scenario: z.string().nullable() })
      .strict()
      .nullable()
      .describe('the vendors, when a mock ran them'),
    faults: z
      .array(z.string())
      .describe('the vendor behaviour that was on: scenario faults by kind'),
    options: z
      .object({
        steps: z.array(z.number().int().positive()),
        durationMs: z.number().nullable(),
        count: z.number().int().nullable(),
        timeoutMs: z.number(),
        rate: z.number().nullable(),
      })
      .strict(),
    steps: z.array(RunStep),
    costAvoidedUsd: z.number().nonnegative(),
    interrupted: z
      .literal(true)
      .optional()
      .describe(
        'set when the run was stopped (Ctrl-C, SIGTERM) before its steps ended: its last step is cut short and the steps after it never ran',
      ),
  })
  .strict();
export type RunReport = z.infer<typeof RunReport>;

export const schemas = {
  manifest: Manifest,
  call: Call,
  signature: Signature,
  faults: Faults,
  scenario: Scenario,
  report: Report,
  inbound: InboundExchange,
  run: RunReport,
  samples: MockSamples,
};
export type SchemaName = keyof typeof schemas;

export function jsonSchemaOf(name: SchemaName): Record<string, unknown> {
  return z.toJSONSchema(schemas[name], { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
}
