import { listen, type RunningServer } from '@strangler/kit';
import type { Edge } from './app';
import type { EdgeConfig } from './config';

export interface EdgeListeners {
  public: RunningServer;
  /** The admin listener, with EDGE_ADMIN_PORT. */
  admin: RunningServer | undefined;
  close(timeoutMs: number): Promise<void>;
}

type ListenSettings = Pick<EdgeConfig, 'PORT' | 'HOST' | 'EDGE_ADMIN_PORT' | 'EDGE_ADMIN_HOST' | 'MAX_REQUEST_HEADERS'>;

/**
 * The edge's listeners: the public one and, with EDGE_ADMIN_PORT, the admin one. Node keeps at most
 * `maxHeadersCount` header lines of a request and drops the rest silently; one more than the edge
 * accepts is enough for the edge to see that a request has too many (and refuse it, 431).
 */
export async function listenEdge(edge: Edge, settings: ListenSettings): Promise<EdgeListeners> {
  const opened: RunningServer[] = [];
  const open = async (handler: Edge['handler'], port: number, host: string) => {
    const running = await listen(handler, port, host);
    running.server.maxHeadersCount = settings.MAX_REQUEST_HEADERS + 1;
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
