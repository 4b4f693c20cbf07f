/** The upstream names every Tapedeck knows; `--upstream NAME=URL` adds to or overrides them. */
export const BUILTIN_UPSTREAMS: Readonly<Record<string, string>> = {
  openai: 'https://api.openai.com',
  anthropic: 'https://api.anthropic.com',
  gemini: 'https://generativelanguage.googleapis.com',
  xai: 'https://api.x.ai',
  openrouter: 'https://openrouter.ai/api',
  // Bedrock is regional: --upstream bedrock=https://bedrock-runtime.REGION.amazonaws.com for others.
  bedrock: 'https://bedrock-runtime.us-east-1.amazonaws.com',
  cohere: 'https://api.cohere.com',
};

/** The reserved first path segment for Tapedeck's own endpoints. */
export const CONTROL_NAME = '__tapedeck';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function isValidUpstreamName(name: string): boolean {
  return NAME.test(name) && name !== CONTROL_NAME;
}

/** Parses `NAME=URL`; throws an Error with a readable message on bad input. */
export function parseUpstreamFlag(flag: string): [string, string] {
  const eq = flag.indexOf('=');
  if (eq <= 0) throw new Error(`--upstream wants NAME=URL, got "${flag}"`);
  const name = flag.slice(0, eq);
  const url = flag.slice(eq + 1);
  if (!isValidUpstreamName(name))
    throw new Error(`--upstream: "${name}" is not a valid upstream name`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`--upstream ${name}: "${url}" is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`--upstream ${name}: only http and https URLs are supported`);
  }
  return [name, url.replace(/\/+$/, '')];
}

export interface Route {
  name: string;
  /** The path after the name, starting with '/', without the query. */
  path: string;
  /** The raw query including its '?', or ''. */
  search: string;
}

/** Splits `/NAME/REST?Q`; null when the URL has no name segment. */
export function parseRoute(rawUrl: string): Route | null {
  const q = rawUrl.indexOf('?');
  const pathPart = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const search = q < 0 ? '' : rawUrl.slice(q);
  const m = /^\/([^/]+)(\/.*)?$/.exec(pathPart);
  if (!m || !m[1]) return null;
  return { name: m[1], path: m[2] ?? '/', search };
}

export function upstreamUrl(base: string, route: Route): string {
  return base + route.path + route.search;
}

export function parseQuery(search: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (!search || search === '?') return out;
  for (const [k, v] of new URLSearchParams(search)) {
    const prev = out[k];
    if (prev === undefined) out[k] = v;
    else if (Array.isArray(prev)) prev.push(v);
    else out[k] = [prev, v];
  }
  return out;
}

interface UrlRouter {
  /** Base URLs parsed once: origin and path prefix, longest prefix first. */
  readonly bases: ReadonlyArray<{ name: string; origin: string; prefix: string }>;
  /** Routes by href: a test suite sends the same few URLs over and over. */
  readonly known: Map<string, Route | null>;
}

const routers = new WeakMap<Readonly<Record<string, string>>, UrlRouter>();
const MAX_KNOWN_URLS = 1024;

function routerOf(upstreams: Readonly<Record<string, string>>): UrlRouter {
  let r = routers.get(upstreams);
  if (!r) {
    const bases: Array<{ name: string; origin: string; prefix: string }> = [];
    for (const [name, base] of Object.entries(upstreams)) {
      try {
        const b = new URL(base);
        bases.push({ name, origin: b.origin, prefix: b.pathname.replace(/\/+$/, '') });
      } catch {
        // Not a URL: no request can be under it.
      }
    }
    bases.sort((x, y) => y.prefix.length - x.prefix.length);
    r = { bases, known: new Map() };
    routers.set(upstreams, r);
  }
  return r;
}

/**
 * The route of a full URL, as the in-process mock sees an SDK's request: a URL under an
 * upstream's base URL (`https://api.openai.com/v1/chat/completions` → openai, `/v1/chat/completions`)
 * belongs to that upstream, the longest base first; else a Tapedeck-style URL whose first path
 * segment names a known upstream (`http://localhost/openai/v1/…`). Null for anything else.
 * `upstreams` should be the same object from call to call: what it works out is kept with it.
 */
export function routeOfUrl(
  href: string,
  upstreams: Readonly<Record<string, string>>,
): Route | null {
  const router = routerOf(upstreams);
  const known = router.known.get(href);
  if (known !== undefined) return known;
  const route = findRoute(href, router, upstreams);
  if (router.known.size >= MAX_KNOWN_URLS) router.known.clear();
  router.known.set(href, route);
  return route;
}

function findRoute(
  href: string,
  router: UrlRouter,
  upstreams: Readonly<Record<string, string>>,
): Route | null {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  for (const { name, origin, prefix } of router.bases) {
    if (origin !== url.origin) continue;
    if (prefix && url.pathname !== prefix && !url.pathname.startsWith(prefix + '/')) continue;
    return { name, path: url.pathname.slice(prefix.length) || '/', search: url.search };
  }
  const route = parseRoute(url.pathname + url.search);
  return route && route.name in upstreams ? route : null;
}
