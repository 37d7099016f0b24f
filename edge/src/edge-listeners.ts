import { listen, type RunningServer } from '@strangler/kit';
import type { Edge } from './app';
import type { EdgeConfig } from './config';

export interface EdgeListeners {
  public: RunningServer;
  /** The admin listener, with EDGE_ADMIN_PORT. */
  admin: RunningServer | undefined;
  close(timeoutMs: number): Promise<void>;
}

type ListenSettings = Pick<EdgeConfig, 'PORT' | 'HOST' | 'EDGE_ADMIN_PORT' | 'EDGE_ADMIN_HOST'>;

/**
 * The edge's listeners: the public one and, with EDGE_ADMIN_PORT, the admin one. Node 24 refuses a
 * request with more than `maxHeadersCount` header lines itself, with a bare 431 and no body (Node 20
 * kept that many and dropped the rest silently). With no count limit every request within Node's
 * header size limit (`maxHeaderSize`, 16 KiB, which bounds the count too) reaches the edge, which
 * refuses more than MAX_REQUEST_HEADERS with its own problem (431 EDGE_TOO_MANY_HEADERS).
 */
export async function listenEdge(edge: Edge, settings: ListenSettings): Promise<EdgeListeners> {
  const opened: RunningServer[] = [];
  const open = async (handler: Edge['handler'], port: number, host: string) => {
    const running = await listen(handler, port, host);
    running.server.maxHeadersCount = 0;
    opened.push(running);
    return running;
  };
  try {
    const publicServer = await open(edge.handler, settings.PORT, settings.HOST);
    const admin = edge.adminHandler && settings.EDGE_ADMIN_PORT !== undefined ? await open(edge.adminHandler, settings.EDGE_ADMIN_PORT, settings.EDGE_ADMIN_HOST) : undefined;
    return {
      public: publicServer,
      admin,
      close: async (timeoutMs) => {
        await Promise.all(opened.map((server) => server.close(timeoutMs)));
      },
    };
  } catch (error) {
    await Promise.all(opened.map((server) => server.close(0)));
    throw error;
  }
}
