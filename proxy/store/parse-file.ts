/** Turns one file's text into a validated value or a LoadError with file, line and reason. */
import type { z } from 'zod';
import { formatVersion, migrate, type DocKind } from '../../shared/migrations.js';
import { Call, FORMAT_VERSION, Manifest, type LoadError } from '../../shared/schema.js';

export { formatVersion };

/**
 * The files that carry a format and are upgraded when read: every reader (mock, inspect, the
 * desktop host's open, watch and save) validates an old call file or manifest as its upgrade.
 */
const MIGRATED = new Map<z.ZodType, DocKind>([
  [Call, 'call'],
  [Manifest, 'manifest'],
]);

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: LoadError };

function lineAt(text: string, position: number): number {
  let line = 1;
  for (let i = 0; i < position && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** The line where a JSON path's last key is written, found by a forward scan; best effort. */
function lineOfPath(text: string, path: readonly PropertyKey[]): number | undefined {
  let from = 0;
  for (const key of path) {
    if (typeof key !== 'string') continue;
    const at = text.indexOf(JSON.stringify(key) + ':', from);
    if (at < 0) return undefined;
    from = at;
  }
  return from > 0 ? lineAt(text, from) : undefined;
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const k of path) out += typeof k === 'number' ? `[${k}]` : out ? `.${String(k)}` : String(k);
  return out;
}

/** True when `prefix` could still be the start of valid JSON: it parses, or it only ends too soon. */
function validSoFar(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return true;
  } catch (e) {
    const message = (e as Error).message;
    if (/end of JSON input|Unterminated string/.test(message)) return true;
    const pos = /position (\d+)/.exec(message);
    return pos !== null && Number(pos[1]) >= prefix.trimEnd().length;
  }
}

/**
 * Where JSON.parse gave up, even when its message has no position (V8's "Unexpected token" does
 * not): the longest prefix that is still valid so far, found by bisection, ends there.
 */
export function jsonErrorPosition(text: string, message: string): number {
  const given = /position (\d+)/.exec(message);
  if (given) return Number(given[1]);
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (validSoFar(text.slice(0, mid))) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * V8's message quotes the text around the bad token; for a binary file that is raw control bytes,
 * which would break the one-line log and error row they end up in.
 */
function printable(message: string): string {
  return message.replace(
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    /[\u0000-\u001f\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export function parseJsonFile<T>(text: string, file: string, schema: z.ZodType<T>): Parsed<T> {
  // Said plainly: "Unexpected end of JSON input" reads as if the file were cut off.
  if (text.trim() === '') return { ok: false, error: { file, reason: 'the file is empty' } };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const line = lineAt(text, jsonErrorPosition(text, message));
    return { ok: false, error: { file, line, reason: `invalid JSON: ${printable(message)}` } };
  }
  const version = formatVersion((raw as { format?: unknown } | null)?.format);
  if (version !== null && version > FORMAT_VERSION) {
    return {
      ok: false,
      error: {
        file,
        reason: `written in format tapedeck/${version} by a newer Tapedeck; this one reads tapedeck/${FORMAT_VERSION}, so the file is skipped`,
      },
    };
  }
  const kind = MIGRATED.get(schema);
  if (kind) raw = migrate(raw, kind).doc;
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  const where = issue ? formatPath(issue.path) : '';
  const more =
    result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more)` : '';
  const error: LoadError = {
    file,
    reason: `${where ? where + ': ' : ''}${issue?.message ?? 'does not match the schema'}${more}`,
  };
  const line = issue ? lineOfPath(text, issue.path) : undefined;
  if (line !== undefined) error.line = line;
  return { ok: false, error };
}
