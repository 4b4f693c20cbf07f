/**
 * `tapedeck record --inbound PORT=URL` (issue #12): the flag, and the names of the files its
 * fronts write into `snap/inbound/`. Pure, so the CLI, the recorder and `tapedeck load` agree.
 */

/** One reverse-proxy front: clients call `http://HOST:port/…`, which is forwarded to `target`. */
export interface InboundFront {
  /** The port the front listens on (0: any free one, for tests). */
  port: number;
  /** The app's base URL, without a trailing slash; the client's path and query are appended. */
  target: string;
}

export function parseInboundFlag(flag: string): InboundFront {
  const eq = flag.indexOf('=');
  if (eq <= 0)
    throw new Error(`--inbound wants PORT=URL (e.g. 4143=http://127.0.0.1:8000), got "${flag}"`);
  const portText = flag.slice(0, eq);
  const url = flag.slice(eq + 1);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535)
    throw new Error(`--inbound ${flag}: "${portText}" is not a port from 0 to 65535`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`--inbound ${portText}: "${url}" is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new Error(`--inbound ${portText}: only http and https URLs are supported`);
  if (parsed.search || parsed.hash)
    throw new Error(
      `--inbound ${portText}: the URL is a base; give it without a query or #fragment`,
    );
  return { port, target: url.replace(/\/+$/, '') };
}

/** Every front's flag parsed; two fronts on one port (other than 0) cannot both listen. */
export function parseInboundFlags(flags: readonly string[]): InboundFront[] {
  const fronts = flags.map(parseInboundFlag);
  const seen = new Set<number>();
  for (const f of fronts) {
    if (f.port !== 0 && seen.has(f.port))
      throw new Error(`--inbound: port ${f.port} is given twice`);
    seen.add(f.port);
  }
  return fronts;
}

/** The URL a request to a front is forwarded to: the client's path and query after the base. */
export function inboundTargetUrl(target: string, pathAndQuery: string): string {
  return target + (pathAndQuery.startsWith('/') ? pathAndQuery : `/${pathAndQuery}`);
}

function slugOf(pathAndQuery: string): string {
  const q = pathAndQuery.indexOf('?');
  const slug = (q < 0 ? pathAndQuery : pathAndQuery.slice(0, q))
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return slug || 'root';
}

/**
 * `000012-POST-v1-route.json`: seq, method and a slug of the path (never the query, which may
 * carry what redaction took out). Give it the stored (redacted) path.
 */
export function inboundFileName(e: {
  seq: number;
  request: { method: string; path: string };
}): string {
  const method =
    e.request.method
      .toUpperCase()
      .replace(/[^A-Z0-9]+/g, '')
      .slice(0, 16) || 'X';
  return `${String(e.seq).padStart(6, '0')}-${method}-${slugOf(e.request.path)}.json`;
}

/** The seq a file name starts with, or null for a name that is not an inbound file's. */
export function inboundSeqOf(name: string): number | null {
  const m = /^(\d+)-[^/]*\.json$/.exec(name);
  return m ? Number(m[1]) : null;
}
