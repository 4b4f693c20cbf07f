/** The model a request names: its body's `model`, or the model segment of its path. */
import { stringAt } from '../providers/json.js';

/** The model a Gemini path names: `/v1beta/models/gemini-2.0-flash:generateContent` → `gemini-2.0-flash`. */
function modelFromPath(path: string): string | null {
  const m = /\/(?:models|tunedModels)\/([^/:?]+)(?::[A-Za-z]+)?(?:\?|$)/.exec(path);
  if (!m?.[1]) return null;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}

/**
 * Body first, then path: Vertex and Google AI name the model only in the path, and some
 * OpenAI-compatible gateways route by a path segment too.
 */
export function requestModelOf(path: string, body: unknown): string | null {
  return stringAt(body, 'model') ?? modelFromPath(path);
}
