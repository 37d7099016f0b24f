import { randomUUID } from 'node:crypto';
import { createLogger, listen, PeerSessionsClient, systemClock, type RunningServer } from '@strangler/kit';
import { httpClient, type HttpClient } from '@strangler/kit/testing';
import { buildMonolithApp } from '@strangler/monolith';
import { buildPaymentsServiceApp } from '@strangler/payments-service';
import type { Harness } from './data-harness';

export const INTERNAL_TOKEN = 'data-test-internal-token-0123456789abcdef';

export interface PaymentsApps {
  monolith: HttpClient;
  service: HttpClient;
  monolithUrl: string;
  /** A user registered on the monolith (whose sessions the service checks with it). */
  newUser(): Promise<{ token: string; id: string }>;
  close(): Promise<void>;
}

const silent = (name: string) => createLogger({ name, level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** The real monolith and the real payments service, in process, over a harness's two databases. */
export async function startPaymentsApps(h: Harness, options: { service?: boolean } = {}): Promise<PaymentsApps> {
  const servers: RunningServer[] = [];
  const monolith = await listen(
    buildMonolithApp({ db: h.monolith, logger: silent('monolith'), clock: systemClock, sessionTtlMs: 3_600_000, internalToken: INTERNAL_TOKEN, authPeers: [], peerTimeoutMs: 1_000 }),
    0,
    '127.0.0.1',
  );
  servers.push(monolith);
  let serviceUrl = '';
  if (options.service ?? true) {
    const peers = new PeerSessionsClient({ peers: [monolith.url], internalToken: INTERNAL_TOKEN, timeoutMs: 1_000, logger: silent('peers') });
    const service = await listen(buildPaymentsServiceApp({ db: h.service, logger: silent('payments-service'), clock: systemClock, peers }), 0, '127.0.0.1');
    servers.push(service);
    serviceUrl = service.url;
  }
  const monolithApi = httpClient(monolith.url);
  return {
    monolith: monolithApi,
    service: httpClient(serviceUrl),
    monolithUrl: monolith.url,
    async newUser() {
      const res = await monolithApi.post('/api/auth/register', { email: `payer-${randomUUID()}@example.com`, password: 'correct horse battery', name: 'Payer' });
      if (res.status !== 201) throw new Error(`register failed: ${res.status} ${res.text}`);
      return { token: res.body.token as string, id: res.body.user.id as string };
    },
    async close() {
      await Promise.all(servers.map((server) => server.close(1_000)));
    },
  };
}

export const keyed = (token: string, key: string = randomUUID()) => ({ token, headers: { 'idempotency-key': key } });
