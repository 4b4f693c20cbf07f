/** How numbers read in the UI; the same rules as `tapedeck inspect` so both show the same figures. */
export {
  ESTIMATE_MARK,
  formatCost,
  formatCostBasis,
  formatMs,
  formatTokens,
  formatTotalCost,
} from '../../../shared/format.js';

/** Coarser money for projections, where four decimals are noise. */
export function formatMoney(usd: number): string {
  if (usd === 0) return '$0';
  if (usd < 0.01) return `$${usd.toPrecision(2)}`;
  if (usd < 100) return `$${usd.toFixed(2)}`;
  return `$${Math.round(usd).toLocaleString('en-US')}`;
}

// One formatter for all: Number#toLocaleString builds a new one per call, which dominated the
// cost of rendering table rows.
const counts = new Intl.NumberFormat('en-US');

export function formatCount(n: number): string {
  return counts.format(n);
}

/** `2026-10-01 12:00:05` in local time: a table cell, not a log line, so no zone or millis. */
export function formatTimestamp(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** `12:00:05` in local time: the table's time column (the date is in the tooltip). */
export function formatClock(iso: string): string {
  const full = formatTimestamp(iso);
  return full === iso ? iso : full.slice(11);
}

/**
 * `gateway…-48-582Z`: at most `max` characters, cut in the middle, because run ids share their
 * start (a prefix, the date) and differ at the end (the time), while names differ at the start.
 */
export function middleEllipsis(text: string, max: number): string {
  if (text.length <= max) return text;
  const keep = max - 1;
  const head = Math.ceil(keep / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (keep - head))}`;
}
