import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from 'node:http';

export interface RunningServer {
  server: Server;
  port: number;
  url: string;
  /** Stop accepting, let in-flight requests finish (up to `timeoutMs`), then drop what is left. */
  close(timeoutMs?: number): Promise<void>;
}

export async function listen(handler: RequestListener, port: number, host = '0.0.0.0'): Promise<RunningServer> {
  const server = http.createServer(handler);
  // Keep-alive longer than typical proxy idle timeouts, so a proxy never reuses a socket we closed.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  return {
    server,
    port: actualPort,
    url: `http://127.0.0.1:${actualPort}`,
    close: (timeoutMs = 10_000) => closeGracefully(server, timeoutMs),
  };
}

function closeGracefully(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const deadline = setTimeout(() => server.closeAllConnections(), timeoutMs);
    // A keep-alive socket goes idle once its in-flight response is done; drop it then rather than
    // waiting for the client to give it up.
    const sweeper = setInterval(() => server.closeIdleConnections(), 50);
    deadline.unref();
    sweeper.unref();
    server.close(() => {
      clearTimeout(deadline);
      clearInterval(sweeper);
      resolve();
    });
  });
}
