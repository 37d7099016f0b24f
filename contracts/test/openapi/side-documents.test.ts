import { apiDifferences, type OpenApiDocument } from '@strangler/kit';
import { authServiceSide } from '../behaviour/auth-service-side';
import { monolithSide } from '../behaviour/monolith-side';
import { paymentsServiceSide } from '../behaviour/payments-service-side';
import type { RunningSide, Side } from '../behaviour/sides';

/**
 * "Does the service serve the same API as the monolith?" asked of the documents the deployables
 * serve: for each extracted capability, the monolith's `GET /openapi.json` and the service's must
 * not differ in anything a client would notice.
 */
describe('OpenAPI documents: the monolith and each service agree on the capability they share', () => {
  const running: RunningSide[] = [];
  const documentOf = async (side: Side): Promise<OpenApiDocument> => {
    const started = await side.start('sqlite');
    running.push(started);
    const response = await fetch(`${started.url}/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    return (await response.json()) as OpenApiDocument;
  };
  let monolith: OpenApiDocument;
  beforeAll(async () => {
    monolith = await documentOf(monolithSide);
  });
  afterAll(async () => {
    await Promise.all(running.map((side) => side.stop()));
  });

  it('each document is OpenAPI 3.1 and the monolith documents every public route', () => {
    expect(monolith.openapi).toBe('3.1.0');
    expect(Object.keys(monolith.paths).sort()).toEqual([
      '/api/auth/login',
      '/api/auth/logout',
      '/api/auth/me',
      '/api/auth/register',
      '/api/orders',
      '/api/orders/{id}',
      '/api/orders/{id}/checkout',
      '/api/payments',
      '/api/payments/{id}',
      '/api/payments/{id}/capture',
      '/api/payments/{id}/refunds',
      '/api/payments/{id}/void',
    ]);
  });

  it.each([
    [authServiceSide, '/api/auth'],
    [paymentsServiceSide, '/api/payments'],
  ])('%p serves what the monolith serves under its prefix', async (side, prefix) => {
    const service = await documentOf(side);
    expect(service.openapi).toBe('3.1.0');
    expect(Object.keys(service.paths).every((path) => path.startsWith(prefix))).toBe(true);
    expect(apiDifferences(monolith, service, [prefix])).toEqual([]);
  });
});
