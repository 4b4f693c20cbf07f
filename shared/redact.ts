/**
 * What the recorder must never write to disk, and the same rules seen from the matcher: credentials
 * in headers and in the query string, key-shaped strings anywhere in bodies, and the user's own
 * rules from `tapedeck.json` (`redact`). Redaction keeps the place (a reader sees that something
 * was there) and replaces the value with one fixed marker, so a replayed request carrying another
 * key of the same shape in the same place still matches: the matcher applies the same rules to the
 * recorded signature and to the live request before comparing (see `Matcher`, docs/redaction.md).
 *
 * The detectors are hand-written regular expressions rather than a secret scanner such as
 * secretlint or gitleaks: those are asynchronous, file-oriented linters, and the matcher needs a
 * synchronous, allocation-free string function that runs on the mock's hot path and gives the
 * very same answer on both sides of a comparison.
 */
import type { RedactRules } from './schema.js';
import { isPlainObject, setOwn } from './matching/canonical.js';
import { EVERY, parseJsonPath, type PathSegment } from './matching/json-path.js';
import { operatorOf } from './matching/operators.js';

export const REDACTED = '[REDACTED]';

// ---- Headers and query parameters, by name ----

/** Always redacted, whatever the provider. */
export const SECRET_HEADERS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'api-key',
  'x-goog-api-key',
  'ocp-apim-subscription-key',
  'cookie',
  'set-cookie',
  'openai-organization',
  'openai-project',
  'anthropic-organization-id',
  'x-goog-user-project',
];

/** Names that look like credentials of some gateway or vendor we do not know by name. */
const SECRET_NAME_PART = /(api[-_]?key|secret|password|passwd|credential|session|cookie|bearer)/i;
/**
 * Whole name segments (split on `-`, `_`, `.`) that mark a credential. Segments, not substrings:
 * `x-auth-token` and `x-access-key` are secrets, `x-ratelimit-remaining-tokens` and Cohere's
 * `num_tokens` are usage counts the replay needs, `www-authenticate` names a scheme.
 */
const SECRET_SEGMENTS: ReadonlySet<string> = new Set(['token', 'auth', 'key', 'jwt', 'sig']);
/** Segment matches that are not secrets (a request's retry key is meant to be repeated). */
const NOT_SECRET_HEADERS: ReadonlySet<string> = new Set(['idempotency-key', 'x-idempotency-key']);

export const SECRET_QUERY_PARAMS: readonly string[] = [
  'key',
  'api_key',
  'apikey',
  'api-key',
  'x-api-key',
  'subscription-key',
  'subscription_key',
  'access_token',
  'access-token',
  'refresh_token',
  'id_token',
  'auth_token',
  'token',
  'auth',
  'code',
  'client_secret',
  'secret',
  'password',
  'sig',
  'signature',
  'x-goog-api-key',
];
const secretQuerySet: ReadonlySet<string> = new Set(SECRET_QUERY_PARAMS);

export function isSecretHeader(name: string, extra: readonly string[] = []): boolean {
  const lower = name.toLowerCase();
  if (SECRET_HEADERS.includes(lower) || extra.includes(lower)) return true;
  if (NOT_SECRET_HEADERS.has(lower)) return false;
  if (SECRET_NAME_PART.test(lower)) return true;
  return lower.split(/[-_.]/).some((s) => SECRET_SEGMENTS.has(s));
}

/**
 * Secret headers by name lose their value; any other value still goes through `text` (built-in
 * detectors and the user's patterns), for a key sent under a name nobody could guess.
 */
export function redactHeaders(
  headers: Record<string, string>,
  extra: readonly string[] = [],
  text: (s: string) => string = redactText,
): Record<string, string> {
  const lowerExtra = extra.map((h) => h.toLowerCase());
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = isSecretHeader(name, lowerExtra) ? REDACTED : text(value);
  }
  return out;
}

/**
 * An explicit list, no heuristics: query parameters take part in matching (these are left out on
 * both sides), and a guess such as "anything with token" would make `page_token` stop counting.
 */
export function isSecretQueryParam(name: string): boolean {
  return secretQuerySet.has(name.toLowerCase());
}

/** Redacts secret query parameters of a URL string; the rest of the URL is kept byte for byte. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash < 0 ? undefined : hash);
  const redacted = query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq < 0 ? pair : pair.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        // a malformed escape is kept as written; it is still compared by its raw name
      }
      return eq >= 0 && isSecretQueryParam(name)
        ? `${rawName}=${encodeURIComponent(REDACTED)}`
        : pair;
    })
    .join('&');
  return url.slice(0, q + 1) + redacted + (hash < 0 ? '' : url.slice(hash));
}

// ---- Built-in detectors: key-shaped strings anywhere ----

/** `[Aa][Pp][Ii]`: these names are matched in any case inside an otherwise case-sensitive regex. */
function anyCase(word: string): string {
  return word.replace(/[a-z]/g, (c) => `[${c.toUpperCase()}${c}]`);
}

/** Names whose assigned value is a secret (`api_key=…`, `"password": "…"`), `_`/`-` optional. */
const SECRET_NAMES: readonly string[][] = [
  ['secret', 'access', 'key'],
  ...['api', 'access', 'account', 'secret', 'private', 'subscription', 'master', 'signing'].map(
    (w) => [w, 'key'],
  ),
  ...['access', 'refresh', 'auth', 'id', 'session', 'api', 'bearer'].map((w) => [w, 'token']),
  ['secret'],
  ['password'],
  ['passwd'],
];
const namesSource = SECRET_NAMES.map((words) => words.map(anyCase).join('[-_]?')).join('|');

/** A JSON field of this name holds a secret whatever its value looks like. */
const SECRET_FIELD = new RegExp(`(?:${namesSource}|${anyCase('authorization')})$`);

/**
 * The boundary before a prefix, as a lookbehind placed after the prefix so that the regex engine
 * can still skip ahead by the prefix's first character. `-` and `_` count as part of a word, so an
 * id like `task-…` or `chatcmpl-…` never starts a match in its middle; for prefixes made of
 * letters only, `+` and `/` count too, so base64 data (an image) cannot hold a match.
 */
function after(prefix: string, alnumOnly = false): string {
  return `(?<![A-Za-z0-9_${alnumOnly ? '+/' : ''}-]${prefix})`;
}

export interface Detector {
  readonly name: string;
  readonly what: string;
  /** Keeps a leading part (`Bearer `, `api_key=`) and replaces only what follows. */
  readonly keepsPrefix: boolean;
  readonly source: string;
}

/** In the order they are tried at each position; see docs/redaction.md for examples. */
export const DETECTORS: readonly Detector[] = [
  {
    name: 'openai-style-key',
    what: 'sk-… keys: OpenAI (sk-proj-, sk-svcacct-, sk-admin-), Anthropic (sk-ant-), OpenRouter (sk-or-), DeepSeek and others',
    keepsPrefix: false,
    source: `sk-${after('sk-')}[A-Za-z0-9_-]{20,}`,
  },
  {
    name: 'xai-key',
    what: 'xAI keys, xai-…',
    keepsPrefix: false,
    source: `xai-${after('xai-')}[A-Za-z0-9_-]{20,}`,
  },
  {
    name: 'google-api-key',
    what: 'Google / Gemini API keys, AIza + 35 characters (30 or more are taken)',
    keepsPrefix: false,
    source: `AIza${after('AIza', true)}[A-Za-z0-9_-]{30,}`,
  },
  {
    name: 'groq-key',
    what: 'Groq keys, gsk_…',
    keepsPrefix: false,
    source: `gsk_${after('gsk_')}[A-Za-z0-9]{20,}`,
  },
  {
    name: 'huggingface-token',
    what: 'Hugging Face tokens, hf_…',
    keepsPrefix: false,
    source: `hf_${after('hf_')}[A-Za-z0-9]{30,}`,
  },
  {
    name: 'stripe-key',
    what: 'Stripe secret and restricted keys, sk_live_…, rk_test_…',
    keepsPrefix: false,
    source: `[sr]k_${after('[sr]k_')}(?:live|test)_[A-Za-z0-9]{16,}`,
  },
  {
    name: 'github-token',
    what: 'GitHub tokens, ghp_ / gho_ / ghu_ / ghs_ / ghr_ / github_pat_…',
    keepsPrefix: false,
    source: `gh[pousr]_${after('gh[pousr]_')}[A-Za-z0-9]{30,}|github_pat_${after('github_pat_')}[A-Za-z0-9_]{30,}`,
  },
  {
    name: 'slack-token',
    what: 'Slack tokens, xoxb- / xoxp- / xoxa- / xoxs- / xoxr- / xoxo- / xapp-…',
    keepsPrefix: false,
    source: `xox[abposr]-${after('xox[abposr]-')}[A-Za-z0-9-]{10,}|xapp-${after('xapp-')}[0-9]-[A-Za-z0-9-]{10,}`,
  },
  {
    name: 'slack-webhook',
    what: 'the secret part of a Slack incoming-webhook URL',
    keepsPrefix: true,
    source: `(hooks\\.slack\\.com/services/)[A-Za-z0-9_/-]{20,}`,
  },
  {
    name: 'aws-access-key-id',
    what: 'AWS access key ids, AKIA… / ASIA… + 16 characters',
    keepsPrefix: false,
    source: `A[KS]IA${after('A[KS]IA', true)}[A-Z0-9]{16}(?![A-Za-z0-9])`,
  },
  {
    name: 'jwt',
    what: 'JSON Web Tokens, eyJ….eyJ….…',
    keepsPrefix: false,
    source: `eyJ${after('eyJ', true)}[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}`,
  },
  {
    name: 'private-key',
    what: 'PEM private key blocks (to the END line, or to the end of the base64 if it is cut)',
    keepsPrefix: false,
    source: `-----BEGIN[A-Z ]{0,24}PRIVATE KEY-----(?:[\\s\\S]*?-----END[A-Z ]{0,24}PRIVATE KEY-----|[A-Za-z0-9+/=\\s]*)`,
  },
  {
    name: 'bearer-token',
    what: 'the token after "Bearer " (8+ characters with a digit or punctuation, or 20+ letters)',
    keepsPrefix: true,
    source: `((?:Bearer|bearer|BEARER)[ \\t]{1,3})(?:(?=[A-Za-z0-9._~+/-]*[0-9._~+/-])[A-Za-z0-9._~+/-]{8,}|[A-Za-z]{20,})=*`,
  },
  {
    name: 'secret-assignment',
    what: 'the value (6+ characters) assigned to a credential name: api_key=…, "password": "…", AWS_SECRET_ACCESS_KEY: …',
    keepsPrefix: true,
    source: `((?:${namesSource})\\\\?["']?[ \\t]{0,3}[:=][ \\t]{0,3}\\\\?["']?)[^\\s"'\`&,;<>\\\\]{6,}`,
  },
];

/**
 * A cheap superset test: every detector's fixed part and every secret name. A string (or a whole
 * raw body) without any of these cannot change under the detectors, so nothing more is done.
 */
const TRIGGER = new RegExp(
  [
    'sk-',
    'xai-',
    'AIza',
    'gsk_',
    'hf_',
    '[sr]k_(?:live|test)_',
    'gh[pousr]_',
    'github_pat_',
    'xox[abposr]-',
    'xapp-',
    'hooks\\.slack\\.com',
    'A[KS]IA',
    'eyJ',
    'PRIVATE KEY',
    anyCase('bearer'),
    namesSource,
    anyCase('authorization'),
  ].join('|'),
);

const FULL = new RegExp(DETECTORS.map((d) => d.source).join('|'), 'g');
const KEPT_GROUPS = DETECTORS.filter((d) => d.keepsPrefix).length;

function replaceMatch(_match: string, ...groups: unknown[]): string {
  for (let i = 0; i < KEPT_GROUPS; i++) {
    const kept = groups[i];
    if (typeof kept === 'string') return kept + REDACTED;
  }
  return REDACTED;
}

/**
 * The shortest text any detector matches: `password:123456` (a name of 6, `:`, a value of 6);
 * every other detector needs more (`Bearer ` + 8, `xoxb-` + 10, `sk-` + 20, …). Most strings in
 * a body are shorter (roles, model names, enum values) and skip the regex altogether.
 */
export const SHORTEST_SECRET = 13;

/** The built-in detectors alone: every key-shaped part of `s` becomes `[REDACTED]`. */
export function redactText(s: string): string {
  return s.length >= SHORTEST_SECRET && TRIGGER.test(s) ? s.replace(FULL, replaceMatch) : s;
}

/** Field names repeat across a body and across calls; their verdict is remembered (bounded). */
const fieldVerdicts = new Map<string, boolean>();

function isSecretField(name: string): boolean {
  let verdict = fieldVerdicts.get(name);
  if (verdict === undefined) {
    verdict = SECRET_FIELD.test(name);
    if (fieldVerdicts.size < 10_000) fieldVerdicts.set(name, verdict);
  }
  return verdict;
}

// ---- The rules of one snapshot: built-ins plus tapedeck.json's `redact` plus record flags ----

export interface RedactOptions {
  /** Request-body JSON paths from `record --redact-body-path` (on top of the manifest's). */
  bodyPaths?: readonly string[];
  /** Header names from `record --redact-header` (on top of the manifest's). */
  headers?: readonly string[];
}

function compilePattern(p: string | { pattern: string; flags?: string }): RegExp {
  const source = typeof p === 'string' ? p : p.pattern;
  const flags = typeof p === 'string' ? '' : (p.flags ?? '');
  try {
    // Every occurrence is replaced; a sticky regex would only ever see position 0.
    return new RegExp(source, flags.replace(/[gy]/g, '') + 'g');
  } catch (e) {
    throw new Error(`invalid redact pattern ${JSON.stringify(source)}: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

function compilePath(path: string): PathSegment[] {
  try {
    return parseJsonPath(path);
  } catch (e) {
    throw new Error(
      `invalid redact path ${JSON.stringify(path)}: ${(e as Error).message.replace(/^invalid ignore path "[^"]*": /, '')}`,
      { cause: e },
    );
  }
}

/** Why a pattern or path of `redact` cannot be used, or null; for the manifest's schema. */
export function checkRedactRules(rules: RedactRules): string | null {
  try {
    for (const p of rules.patterns ?? []) compilePattern(p);
    for (const p of [...(rules.paths ?? []), ...(rules.responsePaths ?? [])]) compilePath(p);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

type Walk = 'live' | 'stored';

export class Redactor {
  /** Built-in detectors only: the default for a snapshot without `redact` rules. */
  static readonly builtin = new Redactor();

  readonly builtin: boolean;
  /** Header names redacted whole, beyond the built-in list. */
  readonly headers: readonly string[];
  /** Request-body paths from the recording flags only: they become the signature's `ignore`. */
  readonly flagPaths: readonly string[];
  private readonly patterns: readonly RegExp[];
  private readonly requestPaths: readonly PathSegment[][];
  private readonly responsePaths: readonly PathSegment[][];
  private readonly flagSegments: readonly PathSegment[][];
  readonly text: (s: string) => string;

  /** Throws with a readable message on a bad pattern or path. */
  constructor(rules: RedactRules = {}, options: RedactOptions = {}) {
    this.builtin = rules.builtin !== false;
    this.headers = [...(rules.headers ?? []), ...(options.headers ?? [])].map((h) =>
      h.toLowerCase(),
    );
    this.patterns = (rules.patterns ?? []).map(compilePattern);
    this.requestPaths = (rules.paths ?? []).map(compilePath);
    this.responsePaths = (rules.responsePaths ?? []).map(compilePath);
    this.flagPaths = options.bodyPaths ?? [];
    this.flagSegments = this.flagPaths.map(compilePath);
    const patterns = this.patterns;
    const builtin = this.builtin;
    this.text =
      patterns.length === 0
        ? builtin
          ? redactText
          : identity
        : (s) => {
            const base = builtin ? redactText(s) : s;
            // The marker is kept out of reach of the user's patterns, so that redacting twice
            // (the recorder wrote it, the matcher redacts the stored side again) changes nothing.
            return base
              .split(REDACTED)
              .map((piece) => {
                let out = piece;
                // An empty match (a pattern like `a*`) would put markers between characters.
                for (const re of patterns) out = out.replace(re, nonEmptyMarker);
                return out;
              })
              .join(REDACTED);
          };
  }

  /** Whether string redaction can change anything at all (else the matcher skips it). */
  get redactsText(): boolean {
    return this.builtin || this.patterns.length > 0;
  }

  /** Whether the matcher has structure to rewrite (field names, request paths). */
  get redactsStructure(): boolean {
    return this.builtin || this.requestPaths.length > 0;
  }

  /**
   * False only when no detector, field name or pattern can fire anywhere in a JSON body whose
   * source text is `raw`: then the walk over the parsed body is skipped. The source text may be
   * UTF-8 read as latin1, since everything the detectors look for is ASCII; a `\u` escape could
   * hide a prefix, so a body with one is always walked.
   */
  mayMatch(raw: string): boolean {
    if (this.patterns.length > 0) return true;
    if (!this.builtin) return false;
    return TRIGGER.test(raw) || raw.includes('\\u');
  }

  /** A request body as stored: the manifest's and the flags' paths, then the detectors. */
  requestBody(body: unknown): unknown {
    let out = body;
    for (const p of this.requestPaths) out = atPath(out, p, 0, 'live');
    for (const p of this.flagSegments) out = atPath(out, p, 0, 'live');
    return this.value(out);
  }

  /** The `flagPaths` that name a value in `body` (only those need to leave the comparison). */
  flagPathsIn(body: unknown): string[] {
    return this.flagPaths.filter((p, i) => hasPath(body, this.flagSegments[i] ?? [], 0));
  }

  /** A response body (or one stream event's parsed data) as stored. */
  responseBody(body: unknown): unknown {
    let out = body;
    for (const p of this.responsePaths) out = atPath(out, p, 0, 'live');
    return this.value(out);
  }

  /**
   * One SSE event's data: JSON data is redacted as a value and written back only if something
   * changed, so an event without secrets keeps its bytes; anything else as text.
   */
  streamData(data: string): string {
    const first = data.trimStart()[0];
    if (first === '{' || first === '[') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(data) as unknown;
      } catch {
        return this.text(data);
      }
      const out = this.responseBody(parsed);
      return out === parsed ? data : JSON.stringify(out);
    }
    return this.text(data);
  }

  /** Strings through `text`, and string values of credential-named fields replaced whole. */
  value(v: unknown): unknown {
    if (!this.redactsText) return v;
    return walk(v, this.text, this.builtin, 'live');
  }

  /**
   * The matcher's structural part for a live body (strings are left to its normalizer):
   * the manifest's request paths, then credential-named fields. `deep` false skips the field walk
   * (the raw body showed no name that could match).
   */
  liveStructure(body: unknown, deep: boolean): unknown {
    let out = body;
    for (const p of this.requestPaths) out = atPath(out, p, 0, 'live');
    return deep && this.builtin ? walk(out, null, true, 'live') : out;
  }

  /**
   * The same for a stored signature's body: operators are left alone (`$any`, `$regex`), the
   * inside of a `$literal` is plain data, and a replaced value is the marker, itself a literal.
   */
  storedStructure(body: unknown): unknown {
    let out = body;
    for (const p of this.requestPaths) out = atPath(out, p, 0, 'stored');
    return this.builtin ? walk(out, null, true, 'stored') : out;
  }
}

function identity(s: string): string {
  return s;
}

function nonEmptyMarker(match: string): string {
  return match === '' ? match : REDACTED;
}

/**
 * Copy-on-write over parsed JSON: returns the very same value when nothing changed. `text` null:
 * fields only. In `stored` mode operator objects are kept (only a `$literal`'s inside is walked).
 */
function walk(
  v: unknown,
  text: ((s: string) => string) | null,
  fields: boolean,
  mode: Walk,
): unknown {
  if (typeof v === 'string') return text ? text(v) : v;
  if (Array.isArray(v)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < v.length; i++) {
      const n = walk(v[i], text, fields, mode);
      if (n !== v[i] && out === null) out = v.slice(0, i);
      if (out !== null) out.push(n);
    }
    return out ?? v;
  }
  if (!isPlainObject(v)) return v;
  if (mode === 'stored') {
    const op = operatorOf(v);
    if (op !== null) {
      if (op.kind !== 'literal') return v;
      const inner = walk(op.value, text, fields, 'live');
      return inner === op.value ? v : { $literal: inner };
    }
  }
  let out: Record<string, unknown> | null = null;
  const keys = Object.keys(v);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    const x = v[k];
    const n =
      fields && typeof x === 'string' && isSecretField(k) ? REDACTED : walk(x, text, fields, mode);
    if (n !== x && out === null) {
      out = {};
      for (let j = 0; j < i; j++) setOwn(out, keys[j] as string, v[keys[j] as string]);
    }
    if (out !== null) setOwn(out, k, n);
  }
  return out ?? v;
}

function hasPath(v: unknown, path: readonly PathSegment[], i: number): boolean {
  if (i === path.length) return v !== undefined;
  const seg = path[i] as PathSegment;
  if (Array.isArray(v)) {
    if (seg === EVERY) return v.some((x) => hasPath(x, path, i + 1));
    return typeof seg === 'number' && seg < v.length && hasPath(v[seg], path, i + 1);
  }
  if (!isPlainObject(v)) return false;
  if (seg === EVERY) return Object.keys(v).some((k) => hasPath(v[k], path, i + 1));
  const k = String(seg);
  return Object.hasOwn(v, k) && hasPath(v[k], path, i + 1);
}

/** Replaces the value(s) at `path` with the marker, copy-on-write; a missing path changes nothing. */
function atPath(v: unknown, path: readonly PathSegment[], i: number, mode: Walk): unknown {
  if (i === path.length) return v === undefined ? v : REDACTED;
  if (mode === 'stored') {
    const op = operatorOf(v);
    if (op !== null) {
      if (op.kind !== 'literal') return v;
      const inner = atPath(op.value, path, i, 'live');
      return inner === op.value ? v : { $literal: inner };
    }
  }
  const seg = path[i] as PathSegment;
  if (Array.isArray(v)) {
    if (seg === EVERY) {
      let out: unknown[] | null = null;
      for (let j = 0; j < v.length; j++) {
        const n = atPath(v[j], path, i + 1, mode);
        if (n !== v[j] && out === null) out = v.slice(0, j);
        if (out !== null) out.push(n);
      }
      return out ?? v;
    }
    if (typeof seg !== 'number' || seg >= v.length) return v;
    const n = atPath(v[seg], path, i + 1, mode);
    if (n === v[seg]) return v;
    const out = v.slice();
    out[seg] = n;
    return out;
  }
  if (!isPlainObject(v)) return v;
  const keys = seg === EVERY ? Object.keys(v) : [String(seg)];
  let out: Record<string, unknown> | null = null;
  for (const k of keys) {
    if (!Object.hasOwn(v, k)) continue;
    const n = atPath(v[k], path, i + 1, mode);
    if (n === v[k]) continue;
    if (out === null) {
      out = {};
      for (const key of Object.keys(v)) setOwn(out, key, v[key]);
    }
    setOwn(out, k, n);
  }
  return out ?? v;
}
