// The three vendors of the example and the one request the app sends them. record.mjs records it
// and drive.mjs replays it, so the two must build it the same way.

/** Upstream NAMEs (the first path segment of the URL) and the model each vendor serves. */
export const VENDORS = [
  { name: 'a', model: 'gpt-4o-mini' },
  { name: 'b', model: 'llama-3.3-70b-versatile' },
  { name: 'c', model: 'mistral-small-latest' },
];

export const QUESTION = 'Find this week’s news about solar storms and summarise it.';

export const WEB_SEARCH = {
  type: 'function',
  function: {
    name: 'web_search',
    description: 'Search the web and return the top results',
    parameters: {
      type: 'object',
      properties: {
        query: { type: 'string' },
        max_results: { type: 'integer', minimum: 1, maximum: 10 },
      },
      required: ['query'],
      additionalProperties: false,
    },
  },
};

/** Sends the request; `options` are the SDK's per-request options (timeout, signal…). */
export function ask(client, vendor, options = {}) {
  return client.chat.completions.create(
    {
      model: vendor.model,
      messages: [
        { role: 'system', content: 'You are a research agent. Use web_search for fresh facts.' },
        { role: 'user', content: QUESTION },
      ],
      tools: [WEB_SEARCH],
    },
    options,
  );
}

/**
 * Why a reply's tool call cannot be run, or null when it can: the name must be a declared tool
 * and the arguments JSON of the declared shape.
 */
export function brokenToolCall(completion) {
  const calls = completion.choices?.[0]?.message?.tool_calls;
  if (!Array.isArray(calls) || calls.length === 0) return 'no tool call';
  for (const call of calls) {
    const name = call.function?.name;
    if (name !== WEB_SEARCH.function.name) return `unknown tool "${name}"`;
    let args;
    try {
      args = JSON.parse(call.function.arguments);
    } catch {
      return 'arguments are not JSON';
    }
    if (typeof args?.query !== 'string') return `query is ${JSON.stringify(args?.query)}`;
    if (args.max_results !== undefined && !Number.isInteger(args.max_results))
      return `max_results is ${JSON.stringify(args.max_results)}`;
  }
  return null;
}
