/** One request as the mock server sees it, already split from Tapedeck's own URL scheme. */
export interface LiveRequest {
  /** The upstream name the request came through: 'openai', 'anthropic', 'groq', … */
  upstream: string;
  /** Upper case. */
  method: string;
  /** After the upstream name, without the query: '/v1/chat/completions'. */
  path: string;
  /** Repeated parameters become an array. */
  query: Record<string, string | string[]>;
  /** Parsed JSON; a string for non-JSON text; undefined when the body is empty. */
  body: unknown;
  /**
   * The body's source text when known (UTF-8 bytes read as latin1 will do): lets redaction see
   * in one pass that nothing in it can be a secret and skip walking the parsed body.
   */
  rawBody?: string;
}
