/** Narrowing helpers for provider JSON, which arrives untyped and sometimes malformed. */

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function objectAt(v: unknown, key: string): JsonObject | undefined {
  if (!isObject(v)) return undefined;
  const x = v[key];
  return isObject(x) ? x : undefined;
}

/** A finite non-negative count; providers send null or omit fields they do not use. */
export function countAt(v: unknown, key: string): number {
  if (!isObject(v)) return 0;
  const x = v[key];
  return typeof x === 'number' && Number.isFinite(x) && x > 0 ? x : 0;
}

export function numberAt(v: unknown, key: string): number | undefined {
  if (!isObject(v)) return undefined;
  const x = v[key];
  return typeof x === 'number' && Number.isFinite(x) ? x : undefined;
}

export function stringAt(v: unknown, key: string): string | undefined {
  if (!isObject(v)) return undefined;
  const x = v[key];
  return typeof x === 'string' && x !== '' ? x : undefined;
}

export function arrayAt(v: unknown, key: string): unknown[] {
  if (!isObject(v)) return [];
  const x = v[key];
  return Array.isArray(x) ? x : [];
}

/** Parses an SSE data payload; `[DONE]`, keep-alives and broken JSON yield undefined. */
export function parseData(data: string | undefined): unknown {
  if (data === undefined) return undefined;
  const t = data.trim();
  if (t === '' || t === '[DONE]') return undefined;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return undefined;
  }
}
