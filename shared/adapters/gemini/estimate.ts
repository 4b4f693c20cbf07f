/**
 * Input tokens of a generateContent request. Gemini has no public tokenizer: text is counted with
 * o200k_base, tools by a fitted share of their declarations.
 */
import { countTextTokens, inlineSize, jsonTokens, textTokens } from '../../providers/estimate.js';
import { geminiImageTokens } from '../../providers/images.js';
import { arrayAt, isObject, objectAt, stringAt, type JsonObject } from '../../providers/json.js';

/**
 * Gemini counts far fewer tokens for function declarations than their JSON has, and the count
 * varies by model; fitted to 14 corpus calls (2.0 Flash, 2.5 Pro, 3 Pro): a frame plus about a
 * third of the tokens of the declarations' names, descriptions, parameter names, types and enums.
 */
const GEMINI_TOOLS_FRAME = 24;
const GEMINI_TOOLS_SHARE = 0.3;

function declarationText(d: unknown): string {
  const params =
    objectAt(d, 'parameters') ??
    objectAt(d, 'parameters_json_schema') ??
    objectAt(d, 'parametersJsonSchema');
  const props = Object.entries(objectAt(params, 'properties') ?? {}).map(([k, v]) =>
    [k, stringAt(v, 'type'), stringAt(v, 'description'), ...arrayAt(v, 'enum').map(String)]
      .filter((x) => x !== undefined)
      .join(' '),
  );
  return [stringAt(d, 'name') ?? '', stringAt(d, 'description') ?? '', ...props].join('\n');
}

function geminiPartTokens(part: unknown, model: string | null): number {
  if (!isObject(part)) return 0;
  const text = stringAt(part, 'text');
  if (text !== undefined) return part['thought'] === true ? 0 : countTextTokens(text);
  const inline = objectAt(part, 'inlineData') ?? objectAt(part, 'inline_data');
  if (inline) {
    const mime = stringAt(inline, 'mimeType') ?? stringAt(inline, 'mime_type') ?? '';
    return mime.startsWith('image/')
      ? geminiImageTokens(model, inlineSize(stringAt(inline, 'data')))
      : 0;
  }
  const file = objectAt(part, 'fileData') ?? objectAt(part, 'file_data');
  if (file) {
    const mime = stringAt(file, 'mimeType') ?? stringAt(file, 'mime_type') ?? '';
    return mime.startsWith('image/') ? geminiImageTokens(model, null) : 0;
  }
  const call = objectAt(part, 'functionCall') ?? objectAt(part, 'function_call');
  if (call) return countTextTokens(stringAt(call, 'name') ?? '') + jsonTokens(call['args']);
  const result = objectAt(part, 'functionResponse') ?? objectAt(part, 'function_response');
  if (result)
    return countTextTokens(stringAt(result, 'name') ?? '') + jsonTokens(result['response']);
  return textTokens(part);
}

function geminiContentTokens(content: unknown, model: string | null): number {
  if (typeof content === 'string') return countTextTokens(content);
  if (!isObject(content)) return 0;
  return arrayAt(content, 'parts').reduce((n: number, p) => n + geminiPartTokens(p, model), 0);
}

export function geminiTokens(body: JsonObject): number {
  const model = stringAt(body, 'model') ?? null;
  let n = geminiContentTokens(body['systemInstruction'] ?? body['system_instruction'], model);
  for (const c of arrayAt(body, 'contents')) n += geminiContentTokens(c, model);
  const decls = arrayAt(body, 'tools').flatMap((t) => [
    ...arrayAt(t, 'functionDeclarations'),
    ...arrayAt(t, 'function_declarations'),
  ]);
  if (decls.length > 0) {
    const text = countTextTokens(decls.map(declarationText).join('\n'));
    n += GEMINI_TOOLS_FRAME + Math.round(GEMINI_TOOLS_SHARE * text);
  }
  return n;
}
