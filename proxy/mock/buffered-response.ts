/**
 * A `Response` over bytes already in memory, for the in-process mock's replies written in one go.
 * Node's Response wraps any body in a web ReadableStream at construction (and reads it back
 * through the stream), which costs more than the whole mock's work for a request; this one keeps
 * the bytes and makes a stream only when `body` is asked for. `text()`, `json()` and
 * `arrayBuffer()` read the bytes directly. It is a real Response subclass (`instanceof Response`),
 * with the headers and status of a real one.
 */
// Node's typings declare Response's members as properties, which a subclass cannot override as
// methods and accessors; at run time they are prototype methods and getters, as the standard has.
const ResponseBase = Response as unknown as new (
  body: null,
  init: ResponseInit,
) => {
  readonly headers: Headers;
  readonly status: number;
  readonly statusText: string;
};

class BufferedResponse extends ResponseBase {
  #bytes: Uint8Array | null;
  #stream: ReadableStream<Uint8Array> | null = null;
  #used = false;

  constructor(bytes: Uint8Array | null, init: ResponseInit) {
    super(null, init);
    this.#bytes = bytes;
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.#bytes === null) return null;
    if (!this.#stream) {
      const bytes = this.#bytes;
      this.#stream = new ReadableStream<Uint8Array>({
        start(controller) {
          if (bytes.length > 0) controller.enqueue(bytes);
          controller.close();
        },
      });
    }
    return this.#stream;
  }

  get bodyUsed(): boolean {
    return this.#used || (this.#stream !== null && this.#stream.locked);
  }

  /** The bytes, once; through the stream when someone already took it, as a Response would. */
  async #take(): Promise<Uint8Array> {
    if (this.bodyUsed) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    if (this.#stream) return new Uint8Array(await new Response(this.#stream).arrayBuffer());
    return this.#bytes ?? new Uint8Array(0);
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const b = await this.#take();
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  }

  async text(): Promise<string> {
    return Buffer.from(await this.#take()).toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async blob(): Promise<Blob> {
    const type = this.headers.get('content-type') ?? '';
    return new Blob([await this.#take()], { type });
  }

  async formData(): Promise<FormData> {
    return new Response(await this.#take(), { headers: this.headers }).formData();
  }

  clone(): Response {
    if (this.bodyUsed) throw new TypeError('Response.clone: Body has already been consumed.');
    const init = { status: this.status, statusText: this.statusText, headers: this.headers };
    if (this.#stream) {
      const [a, b] = this.#stream.tee();
      this.#stream = a;
      return new Response(b, init);
    }
    return bufferedResponse(this.#bytes, init);
  }
}

/** A BufferedResponse, typed as the Response it is at run time. */
export function bufferedResponse(bytes: Uint8Array | null, init: ResponseInit): Response {
  return new BufferedResponse(bytes, init) as unknown as Response;
}
