/**
 * A JSON Schema check for the keywords the published schemas use (no validator in the repo speaks
 * draft 2020-12). An unknown keyword throws, so a schema that grows past this check fails loudly
 * instead of passing unchecked.
 */
type Schema = Record<string, unknown>;

const ANNOTATIONS = new Set(['$id', '$schema', 'description']);
const KNOWN = new Set([
  ...ANNOTATIONS,
  'type',
  'properties',
  'required',
  'additionalProperties',
  'propertyNames',
  'items',
  'anyOf',
  'const',
  'minimum',
  'maximum',
  'exclusiveMinimum',
]);

function typeOk(type: string, v: unknown): boolean {
  switch (type) {
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'integer':
      return Number.isInteger(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'null':
      return v === null;
    default:
      throw new Error(`json-schema-lite: unknown type ${type}`);
  }
}

/** The problems of `v` against `schema`, as `path: message`; empty when it conforms. */
export function schemaErrors(schema: Schema, v: unknown, at = '$'): string[] {
  for (const k of Object.keys(schema))
    if (!KNOWN.has(k)) throw new Error(`json-schema-lite: keyword ${k} at ${at} not supported`);
  const errors: string[] = [];
  if (schema.anyOf !== undefined) {
    const options = schema.anyOf as Schema[];
    if (!options.some((o) => schemaErrors(o, v, at).length === 0))
      errors.push(`${at}: matches none of anyOf`);
  }
  if (schema.const !== undefined && v !== schema.const)
    errors.push(`${at}: is not ${JSON.stringify(schema.const)}`);
  if (typeof schema.type === 'string' && !typeOk(schema.type, v)) {
    errors.push(`${at}: is not ${schema.type}`);
    return errors;
  }
  if (typeof v === 'number') {
    if (typeof schema.minimum === 'number' && v < schema.minimum) errors.push(`${at}: < minimum`);
    if (typeof schema.maximum === 'number' && v > schema.maximum) errors.push(`${at}: > maximum`);
    if (typeof schema.exclusiveMinimum === 'number' && v <= schema.exclusiveMinimum)
      errors.push(`${at}: <= exclusiveMinimum`);
  }
  if (Array.isArray(v) && schema.items !== undefined)
    v.forEach((item, i) =>
      errors.push(...schemaErrors(schema.items as Schema, item, `${at}[${i}]`)),
    );
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const obj = v as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const r of (schema.required ?? []) as string[])
      if (!(r in obj)) errors.push(`${at}.${r}: required`);
    for (const [k, value] of Object.entries(obj)) {
      if (schema.propertyNames !== undefined)
        errors.push(...schemaErrors(schema.propertyNames as Schema, k, `${at}{${k}}`));
      const p = props[k];
      if (p !== undefined) errors.push(...schemaErrors(p, value, `${at}.${k}`));
      else if (schema.additionalProperties === false) errors.push(`${at}.${k}: not allowed`);
      else if (
        typeof schema.additionalProperties === 'object' &&
        schema.additionalProperties !== null
      )
        errors.push(...schemaErrors(schema.additionalProperties as Schema, value, `${at}.${k}`));
    }
  }
  return errors;
}
