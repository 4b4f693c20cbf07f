/**
 * Whether a vendor's tool calls can be run: each names a tool the request declared, and its
 * arguments are JSON of the declared JSON Schema (checked with Ajv, the validator the JSON Schema
 * ecosystem uses). A reply that fails is a parser error: the vendor answered, wrongly, so it is
 * never retried, and it is logged apart from timeouts and 5xx.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import type { RouteTool } from './request.js';

const ajv = new Ajv({ allErrors: false, strict: false });
const compiled = new Map<string, ValidateFunction>();

function validatorOf(schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  let v = compiled.get(key);
  if (v === undefined) {
    v = ajv.compile(schema);
    compiled.set(key, v);
  }
  return v;
}

/**
 * Why a declared tool's `parameters` cannot be used to check its calls (not a JSON Schema), or
 * null. Asked before any vendor is called: a request the gateway could never check is the
 * caller's error (400), not a vendor's parser error found after paying for the call.
 */
export function parametersProblem(tools: readonly RouteTool[]): string | null {
  for (const tool of tools) {
    const schema = tool.function.parameters;
    if (schema === undefined) continue;
    try {
      validatorOf(schema);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      return `tools: parameters of ${tool.function.name} are not a JSON Schema: ${why}`.slice(
        0,
        300,
      );
    }
  }
  return null;
}

interface ToolCall {
  function?: { name?: unknown; arguments?: unknown };
}

/** Why the completion's tool calls cannot be run, or null when they can (or there are none). */
export function toolCallProblem(completion: unknown, tools: readonly RouteTool[]): string | null {
  const choice = (completion as { choices?: { message?: { tool_calls?: unknown } }[] })
    ?.choices?.[0];
  if (choice === undefined) return 'no choices in the reply';
  const calls = choice.message?.tool_calls;
  if (calls === undefined || calls === null) return null;
  if (!Array.isArray(calls)) return 'tool_calls is not a list';
  for (const call of calls as ToolCall[]) {
    const name = call.function?.name;
    const tool = tools.find((t) => t.function.name === name);
    if (tool === undefined) return `unknown tool ${JSON.stringify(name)}`;
    const raw = call.function?.arguments;
    if (typeof raw !== 'string') return `arguments of ${tool.function.name} are not a string`;
    let args: unknown;
    try {
      args = JSON.parse(raw);
    } catch {
      return `arguments of ${tool.function.name} are not JSON`;
    }
    const schema = tool.function.parameters;
    if (schema === undefined) continue;
    const validate = validatorOf(schema);
    if (!validate(args)) {
      const e = validate.errors?.[0];
      return `arguments of ${tool.function.name}: ${e?.instancePath || '/'} ${e?.message ?? 'invalid'}`;
    }
  }
  return null;
}
