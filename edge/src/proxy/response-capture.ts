import type { IncomingMessage } from 'node:http';

/** The first `maxBytes` of a response body, collected alongside the stream to the client. */
export class ResponseCapture {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  constructor(private readonly maxBytes: number) {}

  attach(response: IncomingMessage): void {
    response.on('data', (chunk: Buffer) => this.add(chunk));
  }

  add(chunk: Buffer): void {
    if (this.truncated) return;
    const room = this.maxBytes - this.size;
    if (chunk.length > room) {
      this.chunks.push(chunk.subarray(0, room));
      this.size += room;
      this.truncated = true;
      return;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  body(): Buffer {
    return Buffer.concat(this.chunks, this.size);
  }
}
