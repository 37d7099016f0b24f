import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Rewrites one member of a JSON document: return the new value, or REMOVE to drop the member. */
export type MemberRewrite = (key: string, value: unknown) => unknown;
export const REMOVE = Symbol('remove');

function rewriteDeep(value: unknown, rewrite: MemberRewrite): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteDeep(item, rewrite));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
    const rewritten = rewrite(key, rewriteDeep(member, rewrite));
    if (rewritten !== REMOVE) out[key] = rewritten;
  }
  return out;
}

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding', 'host']);

/**
 * A deliberately incompatible variant of a provider: the real app behind a proxy that rewrites every
 * JSON answer. Only for proving the contracts gate fails; never in front of anything else.
 */
export async function startJsonRewritingProxy(target: string, rewrite: MemberRewrite): Promise<{ url: string; stop(): Promise<void> }> {
  // The handler catches everything itself (a 502), so the promise it returns never rejects.
  const server = createServer((req, res) => void forward(req, res));
  async function forward(req: IncomingMessage, res: ServerResponse) {
    try {
      const body = await bodyOf(req);
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && !HOP_BY_HOP.has(entry[0])),
      );
      const upstream = await fetch(`${target}${req.url ?? '/'}`, {
        method: req.method,
        headers,
        body: body.length > 0 ? body : undefined,
      });
      const text = await upstream.text();
      const json = /json/.test(upstream.headers.get('content-type') ?? '') && text ? JSON.stringify(rewriteDeep(JSON.parse(text), rewrite)) : text;
      upstream.headers.forEach((value, name) => {
        if (!HOP_BY_HOP.has(name)) res.setHeader(name, value);
      });
      res.writeHead(upstream.status).end(json);
    } catch (error) {
      res.writeHead(502, { 'content-type': 'text/plain' }).end(String(error));
    }
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
