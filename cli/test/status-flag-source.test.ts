import { strangler } from './support/cli-harness';

/** An edge whose flags may be out of date says so, and `strangler status` makes it a problem (issue #13 §7). */
describe('strangler status: the edge’s flag source', () => {
  const edgeAnswering = (flags: Record<string, unknown>) =>
    (async (input: string | URL | Request) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (url.endsWith('/_edge/capabilities')) return Response.json({ flags, capabilities: [] });
      if (url.endsWith('/_edge/mismatches')) return Response.json({ routes: [] });
      if (url.endsWith('/metrics')) return new Response('', { headers: { 'content-type': 'text/plain' } });
      throw new TypeError('fetch failed'); // the sync workers: not part of this test
    }) as typeof fetch;
  const env = { EDGE_URL: 'http://edge.test', SYNC_URLS: 'http://sync.test' };
  const unleash = { kind: 'unleash', ready: true, errors: 0, where: 'http://unleash:4242/api/' };

  it('lists stale flags and flags from a last good copy as problems (exit 1)', async () => {
    const stale = await strangler(['status', '--json'], env, { fetch: edgeAnswering({ ...unleash, stale: true, ageSeconds: 42.5 }) });
    expect(stale.code).toBe(1);
    expect(stale.json().problems).toContain('edge http://edge.test: its flags are stale — no refresh from http://unleash:4242/api/ for 42.5 s: a flip made since is not applied there');
    const human = await strangler(['status'], env, { fetch: edgeAnswering({ ...unleash, stale: true, ageSeconds: 42.5 }) });
    expect(human.out).toContain('flags from unleash http://unleash:4242/api/, STALE (no refresh for 42.5 s)');

    const copy = await strangler(['status', '--json'], env, {
      fetch: edgeAnswering({ kind: 'local-file', ready: true, errors: 1, where: '/x/flags.json', fromBackup: '/x/flags.json.last-good', lastError: 'not valid JSON' }),
    });
    expect(copy.json().problems).toContain('edge http://edge.test: its flags file is invalid (not valid JSON); it runs on the last good copy /x/flags.json.last-good');
  });

  it('has nothing to say about fresh flags', async () => {
    const fresh = await strangler(['status', '--json'], env, { fetch: edgeAnswering({ ...unleash, stale: false, ageSeconds: 1 }) });
    expect(fresh.json().problems.filter((p: string) => p.includes('flags'))).toEqual([]);
  });
});
