/**
 * Input tokens of a Messages request. Claude has no public tokenizer: text is counted with
 * o200k_base, and the framing constants are fitted to the corpus (test/estimate.test.ts).
 */
import { countTextTokens, inlineSize, jsonTokens, textTokens } from '../../providers/estimate.js';
import { anthropicImageTokens } from '../../providers/images.js';
import { arrayAt, isObject, objectAt, stringAt, type JsonObject } from '../../providers/json.js';

/** The request's framing with its first message, and each further turn's (fitted to the corpus). */
const ANTHROPIC_BASE = 7;
const ANTHROPIC_PER_EXTRA_MESSAGE = 4;
/** Around a tool call's name and input, and around a tool result (fitted). */
const ANTHROPIC_PER_TOOL_USE = 20;
const ANTHROPIC_PER_TOOL_RESULT = 20;
/** Per tool definition, around its JSON (fitted). */
const ANTHROPIC_PER_TOOL = 20;
/** Extended thinking (`type: "enabled"`) without tools adds its own instructions (fitted). */
const ANTHROPIC_THINKING = 30;
/** Strict tools and deferred tools (`defer_loading`) bring extra instructions (fitted). */
const ANTHROPIC_STRICT_TOOLS = 140;
const ANTHROPIC_DEFERRED_TOOLS = 105;
/** A structured-output format (`output_config.format`) adds instructions around its schema (fitted). */
const ANTHROPIC_OUTPUT_FORMAT = 150;

/**
 * The system prompt Anthropic adds whenever tools are given, by tool_choice (docs.anthropic.com,
 * "Tool use pricing and tokens"): [auto or none, any or tool].
 */
function anthropicToolPrompt(model: string | null, choice: string | undefined): number {
  const forced = choice === 'any' || choice === 'tool';
  const m = model ?? '';
  if (/claude-3-opus/.test(m)) return forced ? 281 : 530;
  if (/claude-3-sonnet/.test(m)) return forced ? 235 : 159;
  if (/claude-3-(5-)?haiku|claude-3-haiku/.test(m)) return forced ? 340 : 264;
  return forced ? 313 : 346;
}

function anthropicBlockTokens(block: unknown, keepThinking = false): number {
  if (typeof block === 'string') return countTextTokens(block);
  if (!isObject(block)) return 0;
  switch (stringAt(block, 'type')) {
    case 'text':
      return countTextTokens(stringAt(block, 'text') ?? '');
    case 'image': {
      const source = objectAt(block, 'source');
      const data = stringAt(source, 'type') === 'base64' ? stringAt(source, 'data') : undefined;
      return anthropicImageTokens(inlineSize(data));
    }
    case 'tool_use':
    case 'server_tool_use':
      return (
        ANTHROPIC_PER_TOOL_USE +
        countTextTokens(stringAt(block, 'name') ?? '') +
        jsonTokens(block['input'])
      );
    case 'tool_result':
      return ANTHROPIC_PER_TOOL_RESULT + anthropicContentTokens(block['content']);
    // Earlier turns' thinking is dropped from the context, except within a tool-use loop.
    case 'thinking':
      return keepThinking ? countTextTokens(stringAt(block, 'thinking') ?? '') : 0;
    case 'redacted_thinking':
      return 0;
    default:
      return textTokens(block);
  }
}

function anthropicContentTokens(content: unknown, keepThinking = false): number {
  if (typeof content === 'string') return countTextTokens(content);
  if (!Array.isArray(content)) return textTokens(content);
  return content.reduce((n: number, b) => n + anthropicBlockTokens(b, keepThinking), 0);
}

/** The assistant turn a request continues with tool results: its thinking stays in context. */
function toolLoopTurn(messages: readonly unknown[]): unknown {
  const last = messages.at(-1);
  const content = isObject(last) ? last['content'] : undefined;
  const resumes =
    Array.isArray(content) && content.some((b) => stringAt(b, 'type') === 'tool_result');
  return resumes ? messages.at(-2) : undefined;
}

export function anthropicTokens(body: JsonObject): number {
  const model = stringAt(body, 'model') ?? null;
  let n = ANTHROPIC_BASE + anthropicContentTokens(body['system']);
  const messages = arrayAt(body, 'messages');
  n += Math.max(0, messages.length - 1) * ANTHROPIC_PER_EXTRA_MESSAGE;
  const loop = toolLoopTurn(messages);
  for (const m of messages)
    n += anthropicContentTokens(isObject(m) ? m['content'] : undefined, m === loop);
  // Server tools (web search, code execution, …) carry their own, unpublished prompts.
  const tools = arrayAt(body, 'tools').filter((t) => objectAt(t, 'input_schema') !== undefined);
  if (tools.length > 0) {
    n += anthropicToolPrompt(model, stringAt(objectAt(body, 'tool_choice'), 'type'));
    for (const t of tools) {
      const { name, description, input_schema } = t as JsonObject;
      n += ANTHROPIC_PER_TOOL + jsonTokens({ name, description, input_schema });
    }
    if (tools.some((t) => isObject(t) && t['strict'] === true)) n += ANTHROPIC_STRICT_TOOLS;
    if (tools.some((t) => isObject(t) && t['defer_loading'] === true))
      n += ANTHROPIC_DEFERRED_TOOLS;
  } else if (stringAt(objectAt(body, 'thinking'), 'type') === 'enabled') {
    n += ANTHROPIC_THINKING;
  }
  const format = objectAt(objectAt(body, 'output_config'), 'format');
  if (format) n += ANTHROPIC_OUTPUT_FORMAT + jsonTokens(format['schema']);
  return n;
}
