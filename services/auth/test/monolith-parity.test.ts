import { testDialects, uniqueEmail, type TestResponse } from '@strangler/kit/testing';
import { startMonolith, type RunningMonolith } from '@strangler/monolith/testing';
import { startAuthService, type RunningAuthService } from '../src/testing';

type Api = RunningAuthService['api'];
/** One request, given an email that is registered (password1) on the side being called. */
type Call = (api: Api, email: string) => Promise<TestResponse>;

const tokenFor = async (api: Api, email: string): Promise<string> => (await api.post('/api/auth/login', { email, password: 'password1' })).body.token;

const VOLATILE = new Set(['id', 'token', 'createdAt', 'expiresAt', 'requestId']);

/** What a client can observe, minus the values that differ on every call. */
function observable(res: TestResponse) {
  const scrub = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(scrub);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, VOLATILE.has(k) ? `<${k}>` : scrub(v)]));
    }
    return value;
  };
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    wwwAuthenticate: res.headers.get('www-authenticate'),
    retryAfter: res.headers.get('retry-after'),
    body: res.body === undefined ? res.text : scrub(res.body),
  };
}

// Side by side: the same requests to the monolith and to the service must look the same to a client.
// (The lead's shared behavioural suite goes further; this guards shapes and messages while we build.)
describe.each(testDialects())('the auth service answers like the monolith, on %s', (dialect) => {
  let monolith: RunningMonolith;
  let service: RunningAuthService;
  beforeAll(async () => {
    [monolith, service] = await Promise.all([startMonolith(dialect), startAuthService(dialect)]);
  });
  afterAll(async () => {
    await Promise.all([monolith?.stop(), service?.stop()]);
  });

  async function expectSame(call: Call): Promise<void> {
    const email = uniqueEmail();
    const onBoth = (api: Api) => api.post('/api/auth/register', { email, password: 'password1', name: 'Same' }).then(() => call(api, email));
    const [fromMonolith, fromService] = await Promise.all([onBoth(monolith.api), onBoth(service.api)]);
    expect(observable(fromService)).toEqual(observable(fromMonolith));
  }

  const cases: Array<[string, Call]> = [
    ['register', (api, email) => api.post('/api/auth/register', { email: `new.${email}`, password: 'password1', name: 'New' })],
    ['register again', (api, email) => api.post('/api/auth/register', { email: email.toUpperCase(), password: 'password1', name: 'Same' })],
    ['login', (api, email) => api.post('/api/auth/login', { email, password: 'password1' })],
    ['login, wrong password', (api, email) => api.post('/api/auth/login', { email, password: 'password2' })],
    ['login, unknown email', (api) => api.post('/api/auth/login', { email: 'nobody@example.com', password: 'password1' })],
    ['login, invalid body', (api) => api.post('/api/auth/login', { email: 'nope' })],
    ['login, long password', (api, email) => api.post('/api/auth/login', { email, password: 'p'.repeat(1025) })],
    ['register, empty body', (api) => api.post('/api/auth/register', {})],
    ['register, array body', (api) => api.request('POST', '/api/auth/register', ['a'])],
    ['register, bad fields', (api) => api.post('/api/auth/register', { email: 'x', password: 12345678, name: '  ' })],
    ['register, long fields', (api) => api.post('/api/auth/register', { email: `${'e'.repeat(250)}@x.io`, password: 'p'.repeat(129), name: 'n'.repeat(101) })],
    ['register, short password', (api) => api.post('/api/auth/register', { email: 'x@example.com', password: 'short', name: 'A' })],
    ['me, no token', (api) => api.get('/api/auth/me')],
    ['me, garbage token', (api) => api.get('/api/auth/me', { token: 'garbage' })],
    ['me, basic auth', (api) => api.get('/api/auth/me', { headers: { authorization: 'Basic dXNlcjpwYXNz' } })],
    ['me, own session', async (api, email) => api.get('/api/auth/me', { token: await tokenFor(api, email) })],
    ['logout, own session', async (api, email) => api.post('/api/auth/logout', undefined, { token: await tokenFor(api, email) })],
    ['me after logout', async (api, email) => {
      const token = await tokenFor(api, email);
      await api.post('/api/auth/logout', undefined, { token });
      return api.get('/api/auth/me', { token });
    }],
    ['logout, no token', (api) => api.post('/api/auth/logout')],
    ['malformed JSON', (api) => api.request('POST', '/api/auth/login', undefined, { raw: '{"email": ', headers: { 'content-type': 'application/json' } })],
    ['form body', (api) => api.request('POST', '/api/auth/login', undefined, { raw: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } })],
    ['oversized body', (api, email) => api.post('/api/auth/register', { email, password: 'password1', name: 'x'.repeat(101 * 1024) })],
    ['unknown route', (api) => api.get('/api/auth/nope')],
    ['wrong method', (api) => api.get('/api/auth/login')],
  ];

  it.each(cases)('%s', async (_name, call) => {
    await expectSame(call);
  });
});
