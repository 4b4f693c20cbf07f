/**
 * Bedrock Converse paths: `/model/{modelId}/converse` and `/model/{modelId}/converse-stream`. The
 * SDKs URL-encode the model id (`anthropic.claude-3-haiku-20240307-v1%3A0`, an ARN's `/` as `%2F`);
 * a hand-written client may not, so the id is everything between `/model/` and the operation.
 */
const PATH = /\/model\/(.+)\/(converse|converse-stream)$/;

/** `converse` or `converse-stream` for a Converse path (no query), else null. */
export function detectBedrockConverse(path: string): string | null {
  return PATH.exec(path)?.[2] ?? null;
}

/** The model id a Converse path names, decoded: a model id, an inference profile or an ARN. */
export function bedrockModelFromPath(path: string): string | null {
  const id = PATH.exec(path)?.[1];
  if (!id) return null;
  try {
    return decodeURIComponent(id);
  } catch {
    return id;
  }
}
