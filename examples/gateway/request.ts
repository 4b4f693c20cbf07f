/**
 * What `POST /v1/route` accepts: an OpenAI chat-completions body without `model` (the router
 * picks it). Everything else in the body is forwarded to the vendor as sent.
 */
import { z } from 'zod';

const ContentPart = z.looseObject({ type: z.string() });
const Message = z.looseObject({
  role: z.string(),
  content: z.union([z.string(), z.array(ContentPart), z.null()]).optional(),
});
const Tool = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string().min(1),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
});

export const RouteRequest = z.looseObject({
  messages: z.array(Message).min(1),
  tools: z.array(Tool).optional(),
  max_tokens: z.number().int().positive().optional(),
  stream: z.literal(false).optional(),
});
export type RouteRequest = z.infer<typeof RouteRequest>;
export type RouteTool = z.infer<typeof Tool>;
