import { createApiClient, ProblemError, UnexpectedResponseError } from '../../src';

interface Call {
  url: string;
  init: RequestInit;
}

/** A fetch that records calls and answers from a script (the Pact consumer tests use a real server). */
function scriptedFetch(...answers: Response[]) {
  const calls: Call[] = [];
  const fetchFn = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: typeof url === 'string' ? url : url instanceof URL ? url.href : url.url, init: init ?? {} });
    const answer = answers.shift();
    if (!answer) throw new Error('no scripted answer left');
    return answer;
  }) as typeof fetch;
  return { fetchFn, calls };
}

const json = (status: number, body: unknown, type = 'application/json; charset=utf-8') =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });

const headersOf = (call: Call | undefined) => (call?.init.headers ?? {}) as Record<string, string>;

describe('api client', () => {
  it('sends JSON with the bearer token and unwraps the resource', async () => {
    const payment = { id: 'p1', amount: '19.99', currency: 'USD', status: 'authorized' };
    const { fetchFn, calls } = scriptedFetch(json(201, { payment }));
    const client = createApiClient({ baseUrl: 'http://api.test/', token: 't0k3n', fetch: fetchFn });

    await expect(client.payments.create({ amount: '19.99', currency: 'USD' }, { idempotencyKey: 'k-1' })).resolves.toEqual(payment);

    expect(calls[0]?.url).toBe('http://api.test/api/payments');
    expect(calls[0]?.init.method).toBe('POST');
    expect(calls[0]?.init.body).toBe('{"amount":"19.99","currency":"USD"}');
    expect(headersOf(calls[0])).toMatchObject({ authorization: 'Bearer t0k3n', 'idempotency-key': 'k-1', 'content-type': 'application/json' });
  });

  it('reads the token at every call and can act with another one', async () => {
    const store: { token?: string } = {};
    const user = { id: 'u1', email: 'a@example.com', name: 'A', createdAt: '2026-01-31T12:00:00.000Z' };
    const { fetchFn, calls } = scriptedFetch(json(200, { user }), json(200, { user }), json(200, { user }));
    const client = createApiClient({ baseUrl: 'http://api.test', token: () => store.token, fetch: fetchFn });

    await client.auth.me();
    store.token = 'later';
    await client.auth.me();
    await client.withToken('other').auth.me();

    expect(calls.map((call) => headersOf(call).authorization)).toEqual([undefined, 'Bearer later', 'Bearer other']);
  });

  it('never sends the token with register and login', async () => {
    const session = { user: {}, token: 'new', expiresAt: '2026-01-31T12:00:00.000Z' };
    const { fetchFn, calls } = scriptedFetch(json(201, session));
    await createApiClient({ baseUrl: 'http://api.test', token: 'old', fetch: fetchFn }).auth.register({ email: 'a@example.com', password: 'p', name: 'A' });
    expect(headersOf(calls[0]).authorization).toBeUndefined();
  });

  it('builds list queries and escapes ids', async () => {
    const { fetchFn, calls } = scriptedFetch(json(200, { payments: [], nextCursor: null }), json(200, { order: {} }));
    const client = createApiClient({ baseUrl: 'http://api.test', fetch: fetchFn });
    await client.payments.list({ limit: 10, cursor: 'abc_-' });
    await client.orders.get('../auth/me');
    expect(calls.map((call) => call.url)).toEqual(['http://api.test/api/payments?limit=10&cursor=abc_-', 'http://api.test/api/orders/..%2Fauth%2Fme']);
  });

  it('answers 204 with undefined', async () => {
    const { fetchFn } = scriptedFetch(new Response(null, { status: 204 }));
    await expect(createApiClient({ baseUrl: 'http://api.test', token: 't', fetch: fetchFn }).auth.logout()).resolves.toBeUndefined();
  });

  it('throws problem+json answers as ProblemError with the code and the fields', async () => {
    const problem = {
      type: 'urn:strangler:problem:validation-failed',
      title: 'Request validation failed',
      status: 400,
      detail: 'amount: must be a decimal string like "19.99"',
      code: 'VALIDATION_FAILED',
      requestId: 'r-1',
      errors: [{ field: 'amount', message: 'must be a decimal string like "19.99"' }],
    };
    const { fetchFn } = scriptedFetch(json(400, problem, 'application/problem+json; charset=utf-8'));
    const failure = await createApiClient({ baseUrl: 'http://api.test', fetch: fetchFn })
      .payments.create({ amount: 'x', currency: 'USD' }, { idempotencyKey: 'k' })
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ProblemError);
    expect(failure).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', requestId: 'r-1', errors: problem.errors, problem });
    expect((failure as Error).message).toBe('400 VALIDATION_FAILED: amount: must be a decimal string like "19.99"');
  });

  it('throws anything else that fails as UnexpectedResponseError', async () => {
    const { fetchFn } = scriptedFetch(new Response('<h1>Bad gateway</h1>', { status: 502, headers: { 'content-type': 'text/html' } }), json(500, { oops: true }));
    const client = createApiClient({ baseUrl: 'http://api.test', fetch: fetchFn });
    await expect(client.orders.list()).rejects.toMatchObject({ name: 'UnexpectedResponseError', status: 502, bodyText: '<h1>Bad gateway</h1>' });
    await expect(client.orders.list()).rejects.toBeInstanceOf(UnexpectedResponseError);
  });

  it('refuses a success that is not JSON', async () => {
    const { fetchFn } = scriptedFetch(new Response('ok', { status: 200, headers: { 'content-type': 'text/plain' } }));
    await expect(createApiClient({ baseUrl: 'http://api.test', fetch: fetchFn }).orders.list()).rejects.toBeInstanceOf(UnexpectedResponseError);
  });

  it('requires a base URL', () => {
    expect(() => createApiClient({ baseUrl: '' })).toThrow('baseUrl is required');
  });
});
