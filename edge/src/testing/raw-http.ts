import { connect, type Socket } from 'node:net';

/**
 * A client that writes exactly the bytes given (node:net): no library to normalise the request line,
 * the headers or the framing, as a hostile client would.
 */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Everything the server sent, as Latin-1. */
  raw: string;
  /** Milliseconds from connecting to the server closing the connection. */
  ms: number;
}

export function hostPort(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port) };
}

/** Parses the first response in `raw` (status line, headers, a Content-Length or chunked body). */
export function parseAnswer(raw: string, ms = 0): RawAnswer {
  const headEnd = raw.indexOf('\r\n\r\n');
  const head = headEnd === -1 ? raw : raw.slice(0, headEnd);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = headEnd === -1 ? '' : raw.slice(headEnd + 4);
  if (headers['transfer-encoding'] === 'chunked') {
    let out = '';
    let rest = body;
    for (;;) {
      const lineEnd = rest.indexOf('\r\n');
      if (lineEnd === -1) break;
      const size = parseInt(rest.slice(0, lineEnd), 16);
      if (!(size > 0)) break;
      out += rest.slice(lineEnd + 2, lineEnd + 2 + size);
      rest = rest.slice(lineEnd + 2 + size + 2);
    }
    body = out;
  } else if (headers['content-length'] !== undefined) {
    body = body.slice(0, Number(headers['content-length']));
  }
  return { status: Number(statusLine.split(' ')[1] ?? 0), headers, body: Buffer.from(body, 'latin1').toString('utf8'), raw, ms };
}

/** Sends `request` as it is and reads until the server closes the connection (or `timeoutMs`). */
export function rawExchange(url: string, request: string | Buffer, timeoutMs = 10_000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const { host, port } = hostPort(url);
    const socket = connect(port, host, () => socket.write(request));
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error(`no close within ${timeoutMs} ms`)), timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      if (chunks.length > 0 && (error as NodeJS.ErrnoException).code === 'ECONNRESET') resolve(parseAnswer(Buffer.concat(chunks).toString('latin1'), Date.now() - started));
      else reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parseAnswer(Buffer.concat(chunks).toString('latin1'), Date.now() - started));
    });
  });
}

/** One GET/POST head as a client would write it, `Connection: close` so the answer ends the exchange. */
export function requestHead(method: string, target: string, headers: Record<string, string | number> = {}): string {
  const lines = [`${method} ${target} HTTP/1.1`, 'Host: edge.test', ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
  if (!Object.keys(headers).some((name) => name.toLowerCase() === 'connection')) lines.push('Connection: close');
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** A connection sending a request head now and its body one piece at a time; `answer` resolves when the server closes. */
export interface Trickle {
  socket: Socket;
  answer: Promise<RawAnswer>;
  /** Stops sending (the socket stays open until the server closes it). */
  stop(): void;
}

export function trickle(url: string, head: string, piece: string, everyMs: number, pieces: number): Trickle {
  const { host, port } = hostPort(url);
  const started = Date.now();
  const chunks: Buffer[] = [];
  let timer: NodeJS.Timeout | undefined;
  const socket = connect(port, host, () => {
    socket.write(head);
    let sent = 0;
    timer = setInterval(() => {
      if (sent >= pieces || socket.destroyed) return clearInterval(timer);
      sent += 1;
      socket.write(piece);
    }, everyMs);
  });
  const answer = new Promise<RawAnswer>((resolve) => {
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve(parseAnswer(Buffer.concat(chunks).toString('latin1'), Date.now() - started));
    });
  });
  return { socket, answer, stop: () => clearInterval(timer) };
}
