import type { IncomingMessage } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import { hasRequestBody } from './outgoing-headers';

const EMPTY = Buffer.alloc(0);

/**
 * The client's request body as the attempts see it. Streamed bodies go through once, and only once the
 * upstream connection is up (so a refused connection leaves them untouched and still sendable
 * elsewhere). Buffered bodies (bounded) can be sent any number of times.
 */
export class RequestBody {
  private opened = false;

  private constructor(
    private readonly source: { kind: 'buffer'; data: Buffer } | { kind: 'stream'; prefix: Buffer[]; rest: IncomingMessage },
    readonly present: boolean,
    readonly length: number | undefined,
  ) {}

  /** Streams the body through, untouched until the first attempt opens it. */
  static streaming(req: IncomingMessage): RequestBody {
    const declared = req.headers['content-length'];
    return new RequestBody({ kind: 'stream', prefix: [], rest: req }, hasRequestBody(req.headers), declared !== undefined ? Number(declared) : undefined);
  }

  /** `buffered`, at once when there is nothing to read (no body: the usual GET). */
  static bufferedNow(req: IncomingMessage, limit: number): RequestBody | Promise<RequestBody> {
    if (!hasRequestBody(req.headers)) return new RequestBody({ kind: 'buffer', data: EMPTY }, false, undefined);
    return RequestBody.buffered(req, limit);
  }

  /**
   * Reads the body into memory so it can be replayed, up to `limit` bytes; a longer body is streamed
   * (what was read first goes out first) and cannot be replayed.
   */
  static async buffered(req: IncomingMessage, limit: number): Promise<RequestBody> {
    if (!hasRequestBody(req.headers)) return new RequestBody({ kind: 'buffer', data: EMPTY }, false, undefined);
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > limit) return RequestBody.streaming(req);
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
      const cleanup = () => {
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('error', onAbort);
        req.off('aborted', onAbort);
      };
      req.on('data', onData);
      req.on('end', onEnd);
      req.on('error', onAbort);
      req.on('aborted', onAbort);
    });
    if (overflowed) {
      return new RequestBody({ kind: 'stream', prefix: chunks, rest: req }, true, declared !== undefined ? Number(declared) : undefined);
    }
    const data = Buffer.concat(chunks, size);
    return new RequestBody({ kind: 'buffer', data }, true, data.length);
  }

  /** Whether another attempt can still send the whole body. */
  get replayable(): boolean {
    return this.source.kind === 'buffer' || !this.present || !this.opened;
  }

  get buffered(): boolean {
    return this.source.kind === 'buffer';
  }

  /** A fresh readable of the whole body; a streamed body can be opened once. */
  open(): Readable {
    if (this.source.kind === 'buffer' || !this.present) {
      const stream = new PassThrough();
      stream.end(this.source.kind === 'buffer' ? this.source.data : undefined);
      return stream;
    }
    if (this.opened) throw new Error('a streamed request body can only be sent once');
    this.opened = true;
    const { prefix, rest } = this.source;
    if (prefix.length === 0) return rest;
    const stream = new PassThrough();
    for (const chunk of prefix) stream.write(chunk);
    rest.pipe(stream);
    rest.resume();
    return stream;
  }
}
