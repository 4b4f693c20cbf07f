/** `--duration 30s`, `--timeout 10s`: a number with ms, s or m; a bare number is milliseconds. */

const UNIT_MS: Readonly<Record<string, number>> = { '': 1, ms: 1, s: 1000, m: 60_000 };

/** Milliseconds, or null when `text` is not a duration. */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/i.exec(text);
  if (!m) return null;
  const ms = Number(m[1]) * (UNIT_MS[(m[2] ?? '').toLowerCase()] ?? NaN);
  // Node's timers hold at most 2^31-1 ms.
  return Number.isFinite(ms) && ms <= 2 ** 31 - 1 ? Math.round(ms) : null;
}

/** `30000` → `30s`, `1500` → `1500ms`: how k6 and the tables say a duration. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0 && ms > 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
