/**
 * Streams that are not SSE: AWS event-stream replies (Bedrock converse-stream,
 * `application/vnd.amazon.eventstream`). The recorder passes their bytes on unchanged as they
 * arrive and decodes frames on the side; the mock encodes the stored events back into frames.
 */
import { performance } from 'node:perf_hooks';
import { Transform, type TransformCallback } from 'node:stream';
import { FrameDecoder } from '../shared/adapters/bedrock-converse/eventstream.js';
import {
  eventToFrame,
  frameToEvent,
  isAwsEventStream,
} from '../shared/adapters/bedrock-converse/frames.js';
import type { StreamEvent } from '../shared/schema.js';

export { isAwsEventStream };

/**
 * Frames as stream events stamped with the time their last byte arrived. Bytes that do not decode
 * (a CRC mismatch, a frame the upstream never finished) end the decoding but not the forwarding:
 * `failed` says so, and the recorder then keeps the reply as the raw bytes (`chunks`) instead.
 */
export class AwsEventStreamTap extends Transform {
  readonly events: StreamEvent[] = [];
  readonly chunks: Buffer[] = [];
  failed: string | null = null;
  private readonly decoder = new FrameDecoder();

  constructor(private readonly t0: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    // Forward first: the client must not wait for our bookkeeping.
    this.push(chunk);
    this.chunks.push(chunk);
    if (this.failed === null) {
      try {
        const at = Math.round((performance.now() - this.t0) * 10) / 10;
        for (const frame of this.decoder.push(chunk)) this.events.push(frameToEvent(frame, at));
      } catch (e) {
        this.failed = (e as Error).message;
      }
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.failed === null && this.decoder.pending > 0)
      this.failed = `the stream ended inside a frame (${this.decoder.pending} bytes left over)`;
    done();
  }
}

/** The wire bytes of one stored event, in the framing its reply's content type names. */
export function awsFrameBytes(e: StreamEvent): Buffer {
  const frame = eventToFrame(e);
  return Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
}
