/**
 * The model registry: what each vendor's model can do, what it costs and how fast it should be.
 * The router reads nothing else about a vendor, so adding one is adding an entry here.
 */

export interface ModelEntry {
  /** The vendor's name in logs, and its upstream at the mock (`/NAME/v1/…`). */
  vendor: string;
  model: string;
  /** OpenAI-compatible base URL, ending in /v1. */
  baseURL: string;
  contextWindow: number;
  supports: { tools: boolean; vision: boolean };
  /** USD per million tokens. */
  price: { input: number; output: number };
  /** What the vendor should take to answer; the score starts from it before any reply is seen. */
  latencyP50Ms: number;
  /** The most one attempt on this vendor may take before it counts as a timeout. */
  timeoutMs: number;
  /** Tried first when this vendor fails, if they cover the request (then the rest, by score). */
  fallbacks: string[];
}

/**
 * The three vendors of examples/three-vendors, served by one `tapedeck mock` at `vendorsUrl`.
 * Prices and context windows are the public list figures for these models at the time of writing.
 */
export function threeVendors(vendorsUrl: string): ModelEntry[] {
  const base = vendorsUrl.replace(/\/+$/, '');
  return [
    {
      vendor: 'a',
      model: 'gpt-4o-mini',
      baseURL: `${base}/a/v1`,
      contextWindow: 128_000,
      supports: { tools: true, vision: true },
      price: { input: 0.15, output: 0.6 },
      latencyP50Ms: 450,
      timeoutMs: 2000,
      fallbacks: ['c', 'b'],
    },
    {
      vendor: 'b',
      model: 'llama-3.3-70b-versatile',
      baseURL: `${base}/b/v1`,
      contextWindow: 131_072,
      supports: { tools: true, vision: false },
      price: { input: 0.59, output: 0.79 },
      latencyP50Ms: 250,
      timeoutMs: 1500,
      fallbacks: ['a', 'c'],
    },
    {
      vendor: 'c',
      model: 'mistral-small-latest',
      baseURL: `${base}/c/v1`,
      contextWindow: 32_000,
      supports: { tools: true, vision: false },
      price: { input: 0.1, output: 0.3 },
      latencyP50Ms: 300,
      timeoutMs: 1500,
      fallbacks: ['a', 'b'],
    },
  ];
}
