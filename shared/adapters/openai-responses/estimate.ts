/** Input tokens of a Responses request, framed as OpenAI frames it (see ../openai-common). */
import { countTextTokens, jsonTokens, textTokens } from '../../providers/estimate.js';
import { arrayAt, isObject, objectAt, stringAt, type JsonObject } from '../../providers/json.js';
import {
  functionDef,
  openaiContentTokens,
  openaiSchemaTokens,
  openaiToolsTokens,
  OPENAI_PER_MESSAGE,
  OPENAI_PER_TOOL_CALL,
  replyPriming,
  RESPONSES_TOOLS_FRAME,
  SYSTEM_ROLES,
  type FunctionDef,
} from '../openai-common/estimate.js';

function responsesItemTokens(item: unknown, model: string | null): number {
  if (typeof item === 'string') return OPENAI_PER_MESSAGE + 1 + countTextTokens(item);
  if (!isObject(item)) return 0;
  const type = stringAt(item, 'type');
  if (type === 'function_call' || type === 'custom_tool_call')
    return (
      OPENAI_PER_TOOL_CALL +
      countTextTokens(stringAt(item, 'name') ?? '') +
      jsonTokens(item['arguments'] ?? item['input'])
    );
  if (type === 'function_call_output' || type === 'custom_tool_call_output')
    return OPENAI_PER_MESSAGE + 1 + openaiContentTokens(item['output'], model);
  // Reasoning is encrypted and item references point at server-side state: neither is countable.
  if (type === 'reasoning' || type === 'item_reference') return 0;
  if (type === 'message' || item['role'] !== undefined)
    return (
      OPENAI_PER_MESSAGE +
      countTextTokens(stringAt(item, 'role') ?? '') +
      openaiContentTokens(item['content'], model)
    );
  return textTokens(item);
}

export function responsesTokens(body: JsonObject): number {
  const model = stringAt(body, 'model') ?? null;
  let n = replyPriming(model);
  const instructions = stringAt(body, 'instructions');
  if (instructions) n += OPENAI_PER_MESSAGE + 1 + countTextTokens(instructions);
  const input = body['input'];
  if (Array.isArray(input)) for (const item of input) n += responsesItemTokens(item, model);
  else n += responsesItemTokens(input, model);
  const defs = arrayAt(body, 'tools')
    .filter((t) => stringAt(t, 'type') === 'function')
    .map(functionDef)
    .filter((d): d is FunctionDef => d !== null);
  const hasSystem =
    instructions !== undefined ||
    (Array.isArray(input) && input.some((m) => SYSTEM_ROLES.has(stringAt(m, 'role') ?? '')));
  n += openaiToolsTokens(defs, hasSystem, RESPONSES_TOOLS_FRAME);
  const format = objectAt(objectAt(body, 'text'), 'format');
  if (stringAt(format, 'type') === 'json_schema')
    n += openaiSchemaTokens(
      stringAt(format, 'name'),
      stringAt(format, 'description'),
      format?.['schema'],
    );
  return n;
}
