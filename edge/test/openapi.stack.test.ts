import { apiDifferences, type OpenApiDocument } from '@strangler/kit';
import { startMonolith } from '@strangler/monolith/testing';
import { startAuthService } from '@strangler/auth-service/testing';
import { startPaymentsService } from '@strangler/payments-service/testing';
import { standardRoutes, startTestEdge } from '../src/testing';

const INTERNAL_TOKEN = 'openapi-stack-internal-token-0123456789abcdef';

/** Without the edge's note of where each operation came from: what a client reads. */
function withoutUpstreams(document: OpenApiDocument): OpenApiDocument {
  const paths = Object.fromEntries(
    Object.entries(document.paths).map(([path, item]) => [
      path,
      Object.fromEntries(Object.entries(item).map(([method, operation]) => [method, { ...(operation as object), 'x-upstream': undefined }])),
    ]),
  );
  return JSON.parse(JSON.stringify({ ...document, paths })) as OpenApiDocument;
}

/** The edge's aggregated document over the real deployables: the whole public API, each part from where it is routed. */
describe('the edge\u2019s OpenAPI document over the real monolith and services', () => {
  it('documents every public operation as the sides do, each from the upstream the routes send it to', async () => {
    let monolithUrl = '';
    const auth = await startAuthService('sqlite', { internalToken: INTERNAL_TOKEN, peers: () => [monolithUrl] });
    const monolith = await startMonolith('sqlite', { internalToken: INTERNAL_TOKEN, authPeers: [auth.url] });
    monolithUrl = monolith.url;
    const payments = await startPaymentsService('sqlite', { internalToken: INTERNAL_TOKEN, peers: [auth.url, monolith.url] });
    const edge = await startTestEdge({ routes: standardRoutes({ monolith: monolith.url, auth: auth.url, payments: payments.url }) });
    try {
      const fromEdge = (await (await fetch(`${edge.url}/openapi.json`)).json()) as OpenApiDocument;
      const fromMonolith = (await (await fetch(`${monolith.url}/openapi.json`)).json()) as OpenApiDocument;
      expect(Object.keys(fromEdge.paths).sort()).toEqual(Object.keys(fromMonolith.paths).sort());
      const upstreams = Object.entries(fromEdge.paths).flatMap(([path, item]) => Object.values(item).map((operation) => [path, (operation as Record<string, string>)['x-upstream']]));
      for (const [path, upstream] of upstreams) {
        expect([path, upstream]).toEqual([path, path?.startsWith('/api/auth') ? 'auth' : path?.startsWith('/api/payments') ? 'payments' : 'monolith']);
      }
      expect(apiDifferences(withoutUpstreams(fromEdge), fromMonolith, ['/api'])).toEqual([]);
    } finally {
      await edge.stop();
      await Promise.all([payments.stop(), auth.stop(), monolith.stop()]);
    }
  }, 60_000);
});
