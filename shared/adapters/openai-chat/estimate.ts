/** Input tokens of a Chat Completions request, framed as OpenAI frames it (see ../openai-common). */
import { countTextTokens, jsonTokens } from '../../providers/estimate.js';
import { arrayAt, isObject, objectAt, stringAt, type JsonObject } from '../../providers/json.js';
import {
  functionDef,
  openaiContentTokens,
  openaiSchemaTokens,
  openaiToolsTokens,
  OPENAI_PER_MESSAGE,
  OPENAI_PER_NAME,
  OPENAI_PER_TOOL_CALL,
  replyPriming,
  SYSTEM_ROLES,
  type FunctionDef,
} from '../openai-common/estimate.js';

function chatMessageTokens(m: unknown, model: string | null): number {
  if (!isObject(m)) return 0;
  let n = OPENAI_PER_MESSAGE + countTextTokens(stringAt(m, 'role') ?? '');
  n += openaiContentTokens(m['content'], model);
  const name = stringAt(m, 'name');
  if (name) n += OPENAI_PER_NAME + countTextTokens(name);
  for (const call of arrayAt(m, 'tool_calls')) {
    const fn = objectAt(call, 'function');
    n +=
      OPENAI_PER_TOOL_CALL +
      countTextTokens(stringAt(fn, 'name') ?? '') +
      jsonTokens(fn?.['arguments']);
  }
  const legacy = objectAt(m, 'function_call');
  if (legacy)
    n +=
      OPENAI_PER_TOOL_CALL +
      countTextTokens(stringAt(legacy, 'name') ?? '') +
      jsonTokens(legacy['arguments']);
  return n;
}

export function chatTokens(body: JsonObject): number {
  const model = stringAt(body, 'model') ?? null;
  let n = replyPriming(model);
  for (const m of arrayAt(body, 'messages')) n += chatMessageTokens(m, model);
  const defs = [
    ...arrayAt(body, 'tools').map((t) => functionDef(objectAt(t, 'function'))),
    ...arrayAt(body, 'functions').map(functionDef),
  ].filter((d): d is FunctionDef => d !== null);
  const hasSystem = arrayAt(body, 'messages').some((m) =>
    SYSTEM_ROLES.has(stringAt(m, 'role') ?? ''),
  );
  n += openaiToolsTokens(defs, hasSystem);
  const format = objectAt(body, 'response_format');
  const schema = objectAt(format, 'json_schema');
  if (schema)
    n += openaiSchemaTokens(
      stringAt(schema, 'name'),
      stringAt(schema, 'description'),
      schema['schema'],
    );
  return n;
}
