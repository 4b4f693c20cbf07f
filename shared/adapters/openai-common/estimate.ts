/**
 * How OpenAI frames a request for the model, shared by Chat Completions and Responses: ChatML
 * message framing, tools rendered as a TypeScript namespace, structured-output schemas, images.
 */
import { openaiImageTokens } from '../../providers/images.js';
import { arrayAt, isObject, objectAt, stringAt, type JsonObject } from '../../providers/json.js';
import { countTextTokens, inlineSize, textTokens } from '../../providers/estimate.js';
/**
 * ChatML framing (OpenAI cookbook, "How to count tokens with tiktoken"): every message costs 3
 * tokens plus its role and content, a `name` one more, and every reply is primed with 3.
 */
export const OPENAI_PER_MESSAGE = 3;
export const OPENAI_PER_NAME = 1;
const OPENAI_REPLY_PRIMING = 3;
/** Reasoning models (o-series, gpt-5 and later, gpt-oss) prime the reply with one token less (fitted). */
const REASONING_MODEL = /(^|\/)(o\d|gpt-(5|6|7|8|9)|gpt-oss)/;

export function replyPriming(model: string | null): number {
  return REASONING_MODEL.test(model ?? '') ? OPENAI_REPLY_PRIMING - 1 : OPENAI_REPLY_PRIMING;
}
/** A tool call the assistant made, around its name and arguments (fitted to the corpus). */
export const OPENAI_PER_TOOL_CALL = 7;
/**
 * The framing tool definitions add around their rendering; they join the first system message
 * when there is one, which saves a message's framing (fitted to the corpus and to the cookbook's
 * gpt-4o example, 101 tokens).
 */
const OPENAI_TOOLS_FRAME = 3;
const OPENAI_TOOLS_IN_SYSTEM = -4;
/** The Responses API frames its tools in fewer tokens than Chat Completions (fitted). */
export const RESPONSES_TOOLS_FRAME = -6;
/** The framing of a structured-output schema (`response_format`, `text.format`) (fitted). */
const OPENAI_SCHEMA_FRAME = 1;

export interface FunctionDef {
  name: string;
  description: string | undefined;
  parameters: unknown;
}

export function functionDef(value: unknown): FunctionDef | null {
  const name = stringAt(value, 'name');
  if (!name) return null;
  return {
    name,
    description: stringAt(value, 'description'),
    parameters: objectAt(value, 'parameters'),
  };
}

function tsType(schema: unknown, indent: string): string {
  if (!isObject(schema)) return 'any';
  if (schema['const'] !== undefined) return JSON.stringify(schema['const']);
  const en = schema['enum'];
  if (Array.isArray(en) && en.length > 0) return en.map((v) => JSON.stringify(v)).join(' | ');
  const anyOf = schema['anyOf'] ?? schema['oneOf'];
  if (Array.isArray(anyOf) && anyOf.length > 0)
    return anyOf.map((s) => tsType(s, indent)).join(' | ');
  const type = schema['type'];
  if (Array.isArray(type))
    return type.map((t) => tsType({ ...schema, type: t }, indent)).join(' | ');
  switch (type) {
    case 'string':
      return 'string';
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return `${tsType(schema['items'], indent)}[]`;
    case 'object':
      return objectProps(schema) === ''
        ? 'object'
        : `{\n${objectProps(schema, `${indent}  `)}${indent}}`;
    default:
      return 'any';
  }
}

function objectProps(schema: JsonObject, indent = ''): string {
  const props = objectAt(schema, 'properties');
  if (!props) return '';
  const required = new Set(arrayAt(schema, 'required').filter((r) => typeof r === 'string'));
  let out = '';
  for (const [key, prop] of Object.entries(props)) {
    const desc = stringAt(prop, 'description');
    if (desc) out += `${indent}// ${desc}\n`;
    out += `${indent}${key}${required.has(key) ? '' : '?'}: ${tsType(prop, indent)},\n`;
  }
  return out;
}

/**
 * OpenAI shows function tools to the model as a TypeScript namespace in the system message (the
 * reverse-engineered format of hmarr/openai-chat-tokens, which matches the API's counts).
 */
function renderFunctions(defs: readonly FunctionDef[]): string {
  let out = '# Tools\n\n## functions\n\nnamespace functions {\n\n';
  for (const d of defs) {
    if (d.description) out += `// ${d.description}\n`;
    const params = isObject(d.parameters) ? objectProps(d.parameters) : '';
    out +=
      params === ''
        ? `type ${d.name} = () => any;\n\n`
        : `type ${d.name} = (_: {\n${params}}) => any;\n\n`;
  }
  return `${out}} // namespace functions`;
}

export function openaiToolsTokens(
  defs: readonly FunctionDef[],
  hasSystem: boolean,
  extraFrame = 0,
): number {
  if (defs.length === 0) return 0;
  const frame = OPENAI_TOOLS_FRAME + extraFrame + (hasSystem ? OPENAI_TOOLS_IN_SYSTEM : 0);
  return frame + countTextTokens(renderFunctions(defs));
}

export const SYSTEM_ROLES = new Set(['system', 'developer']);

/** Schema keywords that do not reach the model's view of a structured-output format. */
const UNSEEN_SCHEMA_KEYS = new Set(['additionalProperties', 'required']);

function seenSchema(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(seenSchema);
  if (!isObject(v)) return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([k]) => !UNSEEN_SCHEMA_KEYS.has(k))
      .map(([k, x]) => [k, seenSchema(x)]),
  );
}

/**
 * A structured-output format (`response_format`, `text.format`) as a system-prompt section: its
 * name, description and compact JSON schema without `additionalProperties` and `required`. This
 * rendering is fitted, not published: it matches four corpus calls of both APIs to one token.
 */
export function openaiSchemaTokens(
  name: string | undefined,
  description: string | undefined,
  schema: unknown,
): number {
  if (!isObject(schema)) return 0;
  const desc = description ? `// ${description}\n` : '';
  const text = `# Response Formats\n\n## ${name ?? 'response'}\n\n${desc}${JSON.stringify(seenSchema(schema))}`;
  return OPENAI_SCHEMA_FRAME + countTextTokens(text);
}

/** Content parts of both OpenAI APIs: text, images, and (uncountable offline) audio and files. */
export function openaiContentTokens(content: unknown, model: string | null): number {
  if (typeof content === 'string') return countTextTokens(content);
  if (!Array.isArray(content)) return textTokens(content);
  let n = 0;
  for (const part of content) {
    const type = stringAt(part, 'type');
    if (type === 'image_url' || type === 'input_image') {
      const image = objectAt(part, 'image_url');
      const url = image ? stringAt(image, 'url') : stringAt(part, 'image_url');
      const detail = stringAt(image ?? part, 'detail');
      n += openaiImageTokens(model, url?.startsWith('data:') ? inlineSize(url) : null, detail);
    } else {
      n += textTokens(part);
    }
  }
  return n;
}
