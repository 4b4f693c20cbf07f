/**
 * A file is saved whole, but edited in parts: the call's signature, its faults, its tool payloads,
 * or the raw text. The raw text (the draft) is the one source of truth; a part editor's text is
 * read out of it, and every edit that parses is written straight back into it. Pure functions.
 */
import type { SchemaName } from '../../../shared/schema.js';

export type FileKind = 'call' | 'manifest' | 'scenario';
export type PartId = 'file' | 'signature' | 'tools' | 'faults';

export function fileKindOf(path: string): FileKind {
  if (path === 'tapedeck.json') return 'manifest';
  if (path.startsWith('scenarios/')) return 'scenario';
  return 'call';
}

export interface PartCodec {
  /** The part's editor text, read from the whole file's value. */
  read(file: Record<string, unknown>): string;
  /** The whole file's value with the part's edited value written in; throws a message on misuse. */
  write(file: Record<string, unknown>, value: unknown): Record<string, unknown>;
  /** Which published schema validates the part's text; null: only JSON syntax is checked. */
  schema: SchemaName | null;
}

function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

function serialize(file: unknown): string {
  return JSON.stringify(file, null, 2) + '\n';
}

/** A top-level key of the file; `whenEmpty` is shown when the key is absent and dropped on write. */
function keyCodec(key: string, schema: SchemaName, whenEmpty: unknown): PartCodec {
  const emptyText = JSON.stringify(whenEmpty);
  return {
    schema,
    read: (file) => pretty(file[key] ?? whenEmpty),
    write(file, value) {
      const out = { ...file };
      if (JSON.stringify(value) === emptyText) delete out[key];
      // Assigning an existing key keeps its place, so the file diffs as a one-part change.
      else out[key] = value;
      return out;
    },
  };
}

const signatureCodec: PartCodec = {
  schema: 'signature',
  read: (file) => pretty(file['signature'] ?? {}),
  write: (file, value) => ({ ...file, signature: value }),
};

const codecs: Partial<Record<PartId, PartCodec>> = {
  signature: signatureCodec,
  faults: keyCodec('faults', 'faults', []),
};

/** Installed by the tool payload editor once its shared/ module is loaded. */
export function registerPartCodec(part: PartId, codec: PartCodec): void {
  codecs[part] = codec;
}

export function partsOf(kind: FileKind): PartId[] {
  if (kind === 'call') {
    return (['signature', 'tools', 'faults', 'file'] as const).filter(
      (p) => p === 'file' || codecs[p] !== undefined,
    );
  }
  return ['faults', 'file'];
}

/** The schema a part's editor validates against. */
export function schemaOf(kind: FileKind, part: PartId): SchemaName | null {
  if (part === 'file') return kind;
  return codecs[part]?.schema ?? null;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

function parseObject(text: string, what: string): Outcome<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `${what} is not valid JSON: ${(err as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: `${what} must be a JSON object` };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

export function readPart(part: PartId, draft: string): Outcome<string> {
  if (part === 'file') return { ok: true, value: draft };
  const codec = codecs[part];
  if (!codec) return { ok: false, error: `no editor for ${part}` };
  const file = parseObject(draft, 'the file');
  if (!file.ok) return { ok: false, error: `${file.error}; fix it in the File tab first` };
  try {
    return { ok: true, value: codec.read(file.value) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

/** The new draft after a part's text changed, or why it cannot be written yet. */
export function writePart(part: PartId, draft: string, partText: string): Outcome<string> {
  if (part === 'file') return { ok: true, value: partText };
  const codec = codecs[part];
  if (!codec) return { ok: false, error: `no editor for ${part}` };
  let value: unknown;
  try {
    value = JSON.parse(partText);
  } catch (err) {
    return { ok: false, error: `not valid JSON: ${(err as Error).message}` };
  }
  const file = parseObject(draft, 'the file');
  if (!file.ok) return file;
  try {
    return { ok: true, value: serialize(codec.write(file.value, value)) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}
