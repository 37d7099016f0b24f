import type { IncomingMessage } from 'node:http';
import type { Writable } from 'node:stream';
import { hasRequestBody } from './outgoing-headers';
import type { BodyArrival, BodyDeadlineError } from './body-arrival';

const EMPTY = Buffer.alloc(0);

type Source = { kind: 'buffer'; data: Buffer } | { kind: 'stream'; prefix: Buffer[]; rest: IncomingMessage };

/**
 * The client's request body as the attempts see it. Streamed bodies go through once, and only once the
 * upstream connection is up (so a refused connection leaves them untouched and still sendable
 * elsewhere). Buffered bodies (bounded) can be sent any number of times. While the edge reads a body,
 * `arrival` (when given) holds the client to a minimum rate (see body-arrival.ts).
 */
export class RequestBody {
  private opened = false;

  private constructor(
    private readonly source: Source,
    readonly present: boolean,
    readonly length: number | undefined,
    private readonly arrival: BodyArrival | undefined,
  ) {}

  /** Streams the body through, untouched until the first attempt opens it. */
  static streaming(req: IncomingMessage, arrival?: BodyArrival): RequestBody {
    const declared = req.headers['content-length'];
    const present = hasRequestBody(req.headers);
    return new RequestBody({ kind: 'stream', prefix: [], rest: req }, present, declared !== undefined ? Number(declared) : undefined, present ? arrival : undefined);
  }

  /** `buffered`, at once when there is nothing to read (no body: the usual GET). */
  static bufferedNow(req: IncomingMessage, limit: number, arrival?: BodyArrival): RequestBody | Promise<RequestBody> {
    if (!hasRequestBody(req.headers)) return new RequestBody({ kind: 'buffer', data: EMPTY }, false, undefined, undefined);
    return RequestBody.buffered(req, limit, arrival);
  }

  /**
   * Reads the body into memory so it can be replayed, up to `limit` bytes; a longer body is streamed
   * (what was read first goes out first) and cannot be replayed. Rejects with a BodyDeadlineError when
   * the client is too slow, or an Error when it goes away.
   */
  static async buffered(req: IncomingMessage, limit: number, arrival?: BodyArrival): Promise<RequestBody> {
    if (!hasRequestBody(req.headers)) return new RequestBody({ kind: 'buffer', data: EMPTY }, false, undefined, undefined);
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > limit) return RequestBody.streaming(req, arrival);
    const chunks: Buffer[] = [];
    let size = 0;
    const overflowed = await new Promise<boolean>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size > limit) {
          cleanup();
          req.pause();
          resolve(true);
        }
      };
      const onEnd = () => {
        cleanup();
        resolve(false);
      };
      const onAbort = () => {
        cleanup();
        reject(new Error('client aborted the request body'));
      };
      const onBreach = (error: BodyDeadlineError) => {
        cleanup();
        req.pause();
        reject(error);
      };
      const cleanup = () => {
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('error', onAbort);
        req.off('aborted', onAbort);
      };
      arrival?.start(onBreach);
      req.on('data', onData);
      req.on('end', onEnd);
      req.on('error', onAbort);
      req.on('aborted', onAbort);
    });
    if (overflowed) {
      return new RequestBody({ kind: 'stream', prefix: chunks, rest: req }, true, declared !== undefined ? Number(declared) : undefined, arrival);
    }
    arrival?.stop();
    const data = Buffer.concat(chunks, size);
    return new RequestBody({ kind: 'buffer', data }, true, data.length, undefined);
  }

  /**
   * The client has its answer: whatever of the body is still arriving (an upstream may answer before
   * reading it all) is no longer held to a rate, and no longer counts as a slow request.
   */
  answered(): void {
    this.arrival?.stop();
  }

  /** Whether another attempt can still send the whole body. */
  get replayable(): boolean {
    return this.source.kind === 'buffer' || !this.present || !this.opened;
  }

  get buffered(): boolean {
    return this.source.kind === 'buffer';
  }

  /** Whether the client has sent all of it (a buffered body has; a streamed one once it ended). */
  get complete(): boolean {
    return this.source.kind === 'buffer' || !this.present || this.source.rest.complete;
  }

  /**
   * Sends the whole body into `destination` (and ends it). A streamed body can be sent once; if its
   * client turns out too slow, `destination` is destroyed with the BodyDeadlineError, which the
   * forwarder reports as the client's failure.
   */
  sendTo(destination: Writable): void {
    if (this.source.kind === 'buffer' || !this.present) {
      destination.end(this.source.kind === 'buffer' ? this.source.data : undefined);
      return;
    }
    if (this.opened) throw new Error('a streamed request body can only be sent once');
    this.opened = true;
    const { prefix, rest } = this.source;
    for (const chunk of prefix) destination.write(chunk);
    rest.pipe(destination);
    this.arrival?.start((error) => {
      rest.unpipe(destination);
      rest.pause();
      destination.destroy(error);
    });
    if (prefix.length > 0) rest.resume();
  }
}
