/**
 * The environment of the command run by `record -- CMD` and `mock -- CMD`: the SDK base URLs point
 * at Tapedeck, and under `mock` the SDKs' API keys get placeholders where none is set, because the
 * official SDKs refuse to start without one even though the mock never checks it.
 */

/** The variables that make the official SDKs talk to Tapedeck at `url`. */
export function sdkEnv(url: string): Record<string, string> {
  return {
    OPENAI_BASE_URL: `${url}/openai/v1`,
    ANTHROPIC_BASE_URL: `${url}/anthropic`,
    GOOGLE_GEMINI_BASE_URL: `${url}/gemini`,
    // The AWS SDKs' service-specific endpoint variable ("Bedrock Runtime" → BEDROCK_RUNTIME).
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: `${url}/bedrock`,
    TAPEDECK_URL: url,
  };
}

export const PLACEHOLDER_KEY = 'tapedeck-placeholder-key';

/**
 * Each group is one provider's credential. If any variable of a group is set, the group is left
 * alone: ANTHROPIC_AUTH_TOKEN is Anthropic's other credential (the SDK would prefer a placeholder
 * ANTHROPIC_API_KEY over it), and @google/genai reads GOOGLE_API_KEY before GEMINI_API_KEY, so a
 * placeholder in one would shadow a real key in the other.
 */
const GROUPS: ReadonlyArray<{ set: readonly string[]; also?: readonly string[] }> = [
  { set: ['OPENAI_API_KEY'] },
  { set: ['ANTHROPIC_API_KEY'], also: ['ANTHROPIC_AUTH_TOKEN'] },
  { set: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'] },
  { set: ['XAI_API_KEY'] },
  { set: ['OPENROUTER_API_KEY'] },
  // cohere-ai reads CO_API_KEY. No AWS placeholder: AWS credentials are shared by every AWS
  // service the command may also call for real, and they come from files and roles as often.
  { set: ['CO_API_KEY'] },
];

/** Unset or blank: the SDKs trim the value and treat an empty one as missing. */
function isUnset(env: NodeJS.ProcessEnv, name: string): boolean {
  return (env[name] ?? '').trim() === '';
}

/** The placeholder keys to add to `env`: only for providers that have no credential set at all. */
export function placeholderKeys(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const g of GROUPS) {
    if (![...g.set, ...(g.also ?? [])].every((n) => isUnset(env, n))) continue;
    for (const n of g.set) out[n] = PLACEHOLDER_KEY;
  }
  return out;
}
