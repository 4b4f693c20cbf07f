/** Cohere's v2 chat endpoint, streamed (`"stream": true` in the body) or not: one path. */
const PATH = /\/v2\/chat$/;

export function detectCohereChat(path: string): string | null {
  return PATH.test(path) ? 'chat' : null;
}
