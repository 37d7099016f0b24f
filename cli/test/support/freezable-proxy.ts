import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP hop in front of an in-process service that models `kill -STOP` / `kill -CONT` on it, as the
 * network sees a frozen process: while frozen, bytes sent to it stay unread in its socket (connections
 * are still accepted), and a client that gives up and closes its end does not take the request back.
 * Thawed, everything queued is delivered: the service reads the whole request and does it, answering a
 * peer that may be long gone.
 */
export class FreezableProxy {
  private frozen = false;
  private readonly clients = new Set<Socket>();
  private readonly upstreams = new Set<Socket>();
  /** Connections whose latest request bytes have had no answer from the upstream yet. */
  private readonly awaiting = new Set<Socket>();
  /** Chunks passed to the upstream since the last thaw. */
  private deliveredSinceThaw = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(target: string): Promise<FreezableProxy> {
    const { hostname, port } = new URL(target);
    const created: { proxy?: FreezableProxy } = {};
    const server = createServer((client) => created.proxy!.accept(client, hostname, Number(port)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    created.proxy = new FreezableProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return created.proxy;
  }

  private accept(client: Socket, host: string, port: number): void {
    this.clients.add(client);
    if (this.frozen) client.pause();
    const upstream = connect(port, host);
    this.upstreams.add(upstream);
    client.on('data', (chunk) => {
      this.deliveredSinceThaw += 1;
      this.awaiting.add(upstream);
      upstream.write(chunk);
    });
    // The client's FIN is not passed on: a frozen process finds the whole request in its socket on SIGCONT.
    client.on('error', () => undefined);
    client.on('close', () => this.clients.delete(client));
    upstream.on('data', (chunk) => {
      this.awaiting.delete(upstream);
      if (!client.destroyed && client.writable) client.write(chunk);
    });
    upstream.on('end', () => client.end());
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => {
      this.upstreams.delete(upstream);
      this.awaiting.delete(upstream);
    });
  }

  /**
   * How many connections still wait for the upstream's answer to what was sent on them (a thawed
   * process has answered everything it held — done it, or refused it — once this is 0).
   */
  awaitingAnswers(): number {
    return this.awaiting.size;
  }

  /** Thawed, what it held has reached the upstream (at least one chunk since the thaw) and been answered. */
  answeredWhatItHeld(): boolean {
    return this.deliveredSinceThaw > 0 && this.awaiting.size === 0;
  }

  freeze(): void {
    this.frozen = true;
    for (const client of this.clients) client.pause();
  }

  thaw(): void {
    if (this.frozen) this.deliveredSinceThaw = 0;
    this.frozen = false;
    for (const client of this.clients) client.resume();
  }

  async stop(): Promise<void> {
    this.thaw();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of [...this.clients, ...this.upstreams]) socket.destroy();
    await closed;
  }
}
