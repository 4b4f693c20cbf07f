/**
 * The path shapes one family answers to, as a table each adapter owns: the same family is served
 * under many hosts and prefixes (OpenRouter's `/api/v1`, Gemini's OpenAI-compatible `/v1beta/openai`,
 * Vertex's `/projects/…/publishers/google/models/…`, Azure's `/openai/v1`), so rules match the end.
 */

export interface DetectRule {
  pattern: RegExp;
  api: string;
}

/** The api of the first rule that matches the path (no query, no trailing slash), else null. */
export function detectBy(rules: readonly DetectRule[]): (path: string) => string | null {
  return (path) => {
    for (const rule of rules) if (rule.pattern.test(path)) return rule.api;
    return null;
  };
}

/** `/v1/x/?a=b` → `/v1/x`: the form detection rules are written against. */
export function barePath(path: string): string {
  const q = path.indexOf('?');
  return (q < 0 ? path : path.slice(0, q)).replace(/\/+$/, '');
}
