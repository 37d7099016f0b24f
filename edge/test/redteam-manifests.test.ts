import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { STAGES, audienceOf, buildFlagsDocument, isSafeMethod, stageAllows, stageOfDefinition } from '@strangler/cutover-model';
import { createLogger } from '@strangler/kit';
import { decideRoute, PRESUMED, type RouteFacts } from '../src/routing/route-decision';
import { createEdgeRuntime } from '../src/runtime';
import { buildRoutingTable } from '../src/routing/routing-inputs';
import { RouteMatcher } from '../src/routing/route-matcher';
import { eventually, jsonOf, startUpstream, standardRoutes, startTestEdge, type TestUpstream, type TestEdge } from '../src/testing';

/** Red team (#16): manifests, the matcher and the routing decision, as a hostile operator or client would use them. */

describe('the routing decision over every combination of facts', () => {
  const every = <T>(values: readonly T[]) => values;
  const combinations: RouteFacts[] = [];
  for (const stage of STAGES)
    for (const method of every(['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE']))
      for (const inRollout of every([true, false]))
        for (const pin of every([undefined, 'monolith', 'service'] as const))
          for (const breaker of every(['closed', 'open', 'half-open', 'refused'] as const))
            for (const fence of every(['clear', 'raised'] as const))
              for (const serviceFailed of every([false, true]))
                for (const emergencyStop of every([false, true]))
                  for (const flagUnavailable of every([false, true]))
                    combinations.push({ ...PRESUMED, matched: true, method, stage, inRollout, pin, breaker, fence, serviceFailed, emergencyStop, flagUnavailable });

  it('never sends a write to the service unless its stage gives this caller’s writes to the service', () => {
    const wrong = combinations.filter((facts) => {
      const d = decideRoute(facts);
      if (isSafeMethod(facts.method) || d.refused || d.side !== 'service') return false;
      const audience = audienceOf(facts.stage, false);
      return facts.emergencyStop || facts.flagUnavailable || facts.fence === 'raised' || !(audience === 'everyone' || (audience === 'rollout' && facts.inRollout));
    });
    expect(wrong).toEqual([]);
  });

  it('never sends a write to the monolith when its stage gives this caller’s writes to the service (refused instead)', () => {
    const wrong = combinations.filter((facts) => {
      const d = decideRoute(facts);
      if (isSafeMethod(facts.method) || d.refused || d.side !== 'monolith' || facts.emergencyStop || facts.flagUnavailable) return false;
      const audience = audienceOf(facts.stage, false);
      return audience === 'everyone' || (audience === 'rollout' && facts.inRollout);
    });
    expect(wrong).toEqual([]);
  });

  it('a read-your-writes pin never overrides a rollback, an emergency stop or an unreadable flag', () => {
    const wrong = combinations.filter((facts) => {
      const d = decideRoute(facts);
      if (!isSafeMethod(facts.method) || facts.pin === undefined) return false;
      if (facts.emergencyStop || facts.flagUnavailable) return d.side !== 'monolith' || d.pinned;
      // A breaker or a failed service sends a read to the monolith whatever the stage: not the pin's doing.
      // A pin to the monolith holds at every stage (the monolith took the write; decision 0012), a pin to the service only where the stage lets it serve reads.
      if (d.pinned && facts.pin === 'service' && !stageAllows(facts.stage, 'service', true)) return true;
      if (d.pinned && facts.pin === 'monolith') return d.side !== 'monolith';
      return facts.breaker === 'closed' && !facts.serviceFailed && !stageAllows(facts.stage, d.side, true);
    });
    expect(wrong).toEqual([]);
  });
});

describe('the matcher and the upstreams agree on spellings a client can send', () => {
  const table = buildRoutingTable(
    JSON.stringify({ monolith: { url: 'http://127.0.0.1:1' } }),
    [
      {
        file: 'manifests/payments.json',
        text: JSON.stringify({
          name: 'payments',
          service: { url: 'http://127.0.0.1:2' },
          routes: [{ methods: ['GET', 'POST'], path: '/api/payments' }, { methods: 'POST', path: '/api/payments/:id/refunds' }],
          databases: { monolith: { url: 'm' }, service: { url: 's' } },
        }),
      },
    ],
    {},
  );
  if (!table.ok) throw new Error(table.errors.join('\n'));
  const matcher = new RouteMatcher(table.table);
  // Express (both upstreams) routes case-insensitively and ignores one trailing slash: each of these
  // reaches the payments handler there, so the edge must give it to the payments flag too.
  it.each(['/API/Payments', '/api/payments/', '/api/PAYMENTS/', '/api/payments?x=/api/other', '/api/payments/P1/Refunds', '/api/payments/p1/refunds/'])(
    'POST %s is the payments capability’s',
    (url) => {
      expect(matcher.match('POST', url)?.capability.name).toBe('payments');
    },
  );
});

/** The `search` capability's manifest, as the two describes below add, edit and remove it. */
const searchManifest = (url: string, flag = 'strangler.search', methods = ['GET', 'POST']) => ({
  name: 'search',
  flag,
  service: { url },
  routes: [{ methods, path: '/api/search' }],
  databases: { monolith: { url: 'm.sqlite' }, service: { url: 's.sqlite' } },
});
/** Replaces `search.json` in one rename, as a deploy does. */
const writeSearchManifest = (edge: TestEdge, content: unknown) => {
  const file = path.join(edge.manifestsDir, 'search.json');
  writeFileSync(`${file}.tmp`, JSON.stringify(content));
  renameSync(`${file}.tmp`, file);
};
/** Which upstream answered a request to /api/search. */
const searchServedBy = async (edge: TestEdge, method: string) =>
  (await fetch(`${edge.url}/api/search`, { method, ...(method === 'POST' ? { body: '{}', headers: { 'content-type': 'application/json' } } : {}) })).headers.get('x-upstream');

describe('a manifest removed, or its flag renamed, while the service takes writes', () => {
  let monolith: TestUpstream;
  let search: TestUpstream;
  let edge: TestEdge;
  const writeManifest = (content: unknown) => writeSearchManifest(edge, content);
  const served = (method: string) => searchServedBy(edge, method);
  const capabilityNames = async () => ((await jsonOf(fetch(`${edge.url}/_edge/routes`))).capabilities as Array<{ name: string }>).map((c) => c.name);

  beforeEach(async () => {
    monolith = await startUpstream({ name: 'monolith' });
    search = await startUpstream({ name: 'search' });
    edge = await startTestEdge({ routes: standardRoutes({ monolith: monolith.url, auth: monolith.url, payments: monolith.url }) });
    writeManifest(searchManifest(search.url));
    await eventually(async () => (await capabilityNames()).includes('search'));
    edge.setFlags([{ capability: 'search', enabled: true, stage: 'live', rollout: 100 }]);
    await eventually(async () => (await served('POST')) === 'search');
  });
  afterEach(async () => {
    await edge.stop();
    await Promise.all([monolith.stop(), search.stop()]);
  });

  // Dropping it would send the rollout's writes to the monolith at once: a rollback with no gate, no
  // fence and no drain of the sync (what `strangler rollback` is for). The edge keeps the last good version.
  it('a removal is refused, naming the capability, its flag and its stage; writes stay with the service', async () => {
    rmSync(path.join(edge.manifestsDir, 'search.json'));
    await eventually(() => edge.runtime.routes.status()?.lastError !== undefined);
    expect(edge.runtime.routes.status()?.lastError?.errors).toEqual([expect.stringMatching(/search\.json: capability search: .*strangler\.search is at stage live.*strangler rollback search/)]);
    expect(await served('POST')).toBe('search');
  });

  it('a renamed flag is refused the same way', async () => {
    writeManifest(searchManifest(search.url, 'strangler.search-v2'));
    await eventually(() => edge.runtime.routes.status()?.lastError !== undefined);
    expect(edge.runtime.routes.status()?.lastError?.errors).toEqual([expect.stringMatching(/capability search: flag: .*strangler\.search is at stage live/)]);
    expect(await served('POST')).toBe('search');
  });

  // Found open by the red team: a restart read the files as they were, routes before flags, so the
  // removal a running edge refused was applied by a restart. A start now measures the inputs against
  // the last good copy, runs on that copy while a retired capability's stage is unknown, and checks
  // again once the flags load.
  it('a restart does not apply a removal the running edge refused, and applies it once the flags allow', async () => {
    rmSync(path.join(edge.manifestsDir, 'search.json'));
    await eventually(() => edge.runtime.routes.status()?.lastError !== undefined);
    const restart = () => createEdgeRuntime(edge.config, { env: {}, logger: createLogger({ name: 'edge', level: 'silent' }) });
    const atLive = await restart();
    try {
      expect(atLive.routes.current().table.capabilities.map((c) => c.name)).toContain('search');
      expect(atLive.routes.status()?.fromBackup).toBeDefined();
      await atLive.flags.whenReady(5_000);
      await atLive.routes.recheck();
      expect(atLive.routes.current().table.capabilities.map((c) => c.name)).toContain('search');
      expect(atLive.routes.status()?.lastError?.errors).toEqual([expect.stringMatching(/search\.json: capability search: .*strangler\.search is at stage live/)]);
    } finally {
      await atLive.close();
    }
    // Rolled back to reads: a restart applies the removal once its flags have loaded.
    edge.setFlags([{ capability: 'search', enabled: true, stage: 'reads', rollout: 100 }]);
    const atReads = await restart();
    try {
      await atReads.flags.whenReady(5_000);
      await eventually(() => !atReads.routes.current().table.capabilities.map((c) => c.name).includes('search'));
      expect(atReads.routes.status()?.fromBackup).toBeUndefined();
    } finally {
      await atReads.close();
    }
  });

  // Found open by the red team on 9fe6909: the start on the last good copy loaded that copy as the
  // applied version, after which every reload skipped a stage it did not know. An edit (any touch of
  // the inputs) while Unleash had not answered yet applied the refused removal with no flags at all.
  it('a restart on the last good copy, with Unleash not answering yet, does not apply the removal on the next reload', async () => {
    rmSync(path.join(edge.manifestsDir, 'search.json'));
    await eventually(() => edge.runtime.routes.status()?.lastError !== undefined);
    const unleash = await startUpstream({ name: 'unleash' });
    let features: string | undefined;
    unleash.handle((req, res) => {
      if (req.method === 'GET' && req.url?.includes('client/features') && features) res.writeHead(200, { 'content-type': 'application/json' }).end(features);
      else res.writeHead(req.method === 'GET' ? 503 : 202).end();
    });
    const config = { ...edge.config, UNLEASH_URL: `${unleash.url}/api/`, UNLEASH_API_TOKEN: 'test', UNLEASH_BACKUP_DIR: path.join(edge.dir, 'unleash-backup'), UNLEASH_METRICS: false, UNLEASH_REFRESH_MS: 200, UNLEASH_TIMEOUT_MS: 1_000 };
    const restarted = await createEdgeRuntime(config, { env: {}, logger: createLogger({ name: 'edge', level: 'silent' }) });
    const names = () => restarted.routes.current().table.capabilities.map((c) => c.name);
    try {
      expect(restarted.routes.status()?.fromBackup).toBeDefined();
      const first = restarted.routes.status()?.lastError?.at;
      // Any edit: the routes file written again as it is, one more newline.
      writeFileSync(`${edge.config.ROUTES_FILE}.tmp`, `${readFileSync(edge.config.ROUTES_FILE, 'utf8')}\n`);
      renameSync(`${edge.config.ROUTES_FILE}.tmp`, edge.config.ROUTES_FILE);
      await eventually(() => restarted.routes.status()?.lastError?.at !== first, 5_000);
      expect(names()).toContain('search');
      expect(restarted.routes.status()?.lastError?.errors).toEqual([expect.stringMatching(/capability search: .*not known yet/)]);
      // Unleash answers: search is at live, so the removal stays refused, now for that reason.
      features = JSON.stringify(buildFlagsDocument([{ capability: 'search', enabled: true, stage: 'live', rollout: 100 }]));
      await eventually(() => /strangler\.search is at stage live/.test(restarted.routes.status()?.lastError?.errors.join() ?? ''), 10_000);
      expect(names()).toContain('search');
    } finally {
      await restarted.close();
      await unleash.stop();
    }
  });

  it('a removal refused at live is applied by itself once the capability is rolled back (no one touches the files again)', async () => {
    rmSync(path.join(edge.manifestsDir, 'search.json'));
    await eventually(() => edge.runtime.routes.status()?.lastError !== undefined);
    edge.setFlags([{ capability: 'search', enabled: true, stage: 'monolith', rollout: 0 }]);
    await eventually(async () => !(await capabilityNames()).includes('search'), 10_000);
    expect(edge.runtime.routes.status()?.lastError).toBeUndefined();
  });

  it('once rolled back to reads (the service takes no writes), the removal is applied', async () => {
    edge.setFlags([{ capability: 'search', enabled: true, stage: 'reads', rollout: 100 }]);
    await eventually(async () => (await served('POST')) === 'monolith');
    rmSync(path.join(edge.manifestsDir, 'search.json'));
    await eventually(async () => !(await capabilityNames()).includes('search'));
    expect(await served('GET')).toBe('monolith');
  });
});

// Found open by #16's red team: the retirement guard's mirror image. A manifest that arrives (or a flag
// renamed to one) already at reads, live or complete moved its requests to the service at once, with
// none of the gates `strangler flip` checks on the way there and no write fence: two writers.
describe('a manifest added, or its flag renamed to one, already past shadow', () => {
  let monolith: TestUpstream;
  let search: TestUpstream;
  let edge: TestEdge;
  const manifest = searchManifest;
  const writeManifest = (content: unknown) => writeSearchManifest(edge, content);
  const served = (method: string) => searchServedBy(edge, method);
  const capabilities = () => edge.runtime.routes.current().table.capabilities;
  const stageNow = (flag: string) => stageOfDefinition(edge.runtime.flags.client()?.getFeatureToggleDefinition(flag));
  const refusal = async () => {
    await eventually(() => edge.runtime.routes.status()?.lastError !== undefined);
    return edge.runtime.routes.status()?.lastError?.errors;
  };

  beforeEach(async () => {
    monolith = await startUpstream({ name: 'monolith' });
    search = await startUpstream({ name: 'search' });
    edge = await startTestEdge({ routes: standardRoutes({ monolith: monolith.url, auth: monolith.url, payments: monolith.url }) });
  });
  afterEach(async () => {
    await edge.stop();
    await Promise.all([monolith.stop(), search.stop()]);
  });

  it('a capability whose flag is already live is not added: its requests stay with the monolith, and the refusal says what to do', async () => {
    edge.setFlags([{ capability: 'search', enabled: true, stage: 'live', rollout: 100 }]);
    await eventually(() => stageNow('strangler.search') !== 'monolith');
    writeManifest(manifest(search.url));
    expect(await refusal()).toEqual([expect.stringMatching(/search\.json: capability search: \(file\): cannot be added while its flag strangler\.search is already at stage live .*set the flag to monolith or shadow first.*strangler flip search/)]);
    expect(capabilities().map((c) => c.name)).not.toContain('search');
    expect(await served('POST')).toBe('monolith');
    expect(await served('GET')).toBe('monolith');
    // Set back to shadow, the waiting file is taken by itself (no one touches it), and the flag moves on by flips.
    edge.setFlags([{ capability: 'search', enabled: true, stage: 'shadow', rollout: 100 }]);
    await eventually(() => capabilities().some((c) => c.name === 'search'), 10_000);
    expect(edge.runtime.routes.status()?.lastError).toBeUndefined();
    expect(await served('POST')).toBe('monolith');
  });

  it('a capability whose flag is at reads is not added either (the service would answer reads with no verify)', async () => {
    edge.setFlags([{ capability: 'search', enabled: true, stage: 'reads', rollout: 100 }]);
    await eventually(() => stageNow('strangler.search') !== 'monolith');
    writeManifest(manifest(search.url));
    expect(await refusal()).toEqual([expect.stringMatching(/cannot be added while its flag strangler\.search is already at stage reads/)]);
    expect(await served('GET')).toBe('monolith');
  });

  it('a flag renamed to one already at live is refused; a write route added at live is refused; a read route is taken', async () => {
    writeManifest(manifest(search.url, 'strangler.search', ['GET']));
    await eventually(() => capabilities().some((c) => c.name === 'search'));
    edge.setFlags([
      { capability: 'search', enabled: true, stage: 'live', rollout: 100 },
      { capability: 'search-v2', enabled: true, stage: 'live', rollout: 100 },
    ]);
    await eventually(async () => (await served('GET')) === 'search');
    writeManifest(manifest(search.url, 'strangler.search-v2', ['GET']));
    const renamed = await refusal();
    expect(renamed).toEqual(expect.arrayContaining([expect.stringMatching(/capability search: flag: cannot become strangler\.search-v2 while its flag strangler\.search-v2 is already at stage live/)]));
    writeManifest(manifest(search.url, 'strangler.search', ['GET', 'POST']));
    await eventually(() => edge.runtime.routes.status()?.lastError?.errors.join() !== renamed?.join());
    expect(edge.runtime.routes.status()?.lastError?.errors).toEqual([expect.stringMatching(/capability search: routes: cannot add POST \/api\/search while its flag strangler\.search is at stage live/)]);
    expect(await served('POST')).toBe('monolith');
    writeManifest({ ...manifest(search.url, 'strangler.search', ['GET']), routes: [{ methods: ['GET'], path: '/api/search' }, { methods: ['GET'], path: '/api/search/:id' }] });
    await eventually(() => capabilities().find((c) => c.name === 'search')?.routes.length === 2);
    expect(edge.runtime.routes.status()?.lastError).toBeUndefined();
  });
});

describe('a service URL that points at the edge itself', () => {
  let monolith: TestUpstream;
  let edge: TestEdge;
  beforeAll(async () => {
    monolith = await startUpstream({ name: 'monolith' });
    edge = await startTestEdge({ routes: standardRoutes({ monolith: monolith.url, auth: monolith.url, payments: monolith.url }) });
  });
  afterAll(async () => {
    await edge.stop();
    await monolith.stop();
  });

  // A typo (EDGE_PORT for PAYMENTS_PORT) or a hostile edit: each request would come back to the edge
  // and be forwarded again, one more connection per hop, until the pool or the deadline ends it.
  it('a request forwarded back to this edge is answered at once, not forwarded again', async () => {
    writeFileSync(
      path.join(edge.manifestsDir, 'loop.json'),
      JSON.stringify({ name: 'loop', service: { url: edge.url }, routes: [{ methods: '*', path: '/api/loop' }], databases: { monolith: { url: 'm' }, service: { url: 's' } } }),
    );
    await eventually(() => edge.runtime.routes.current().table.capabilities.some((c) => c.name === 'loop'));
    edge.setFlags([{ capability: 'loop', enabled: true, stage: 'complete', rollout: 100 }]);
    await eventually(async () => ((await jsonOf(fetch(`${edge.url}/_edge/capabilities`))).capabilities as Array<{ capability: string; stage: string }>).some((c) => c.capability === 'loop' && c.stage === 'complete'));
    const before = Number(/edge_requests_total\{[^}]*capability="loop"[^}]*\} (\d+)/.exec(await edge.metrics())?.[1] ?? 0);
    const response = await fetch(`${edge.url}/api/loop`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    await response.arrayBuffer();
    const counts = [...(await edge.metrics()).matchAll(/edge_requests_total\{[^}]*capability="loop"[^}]*\} (\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
    expect(response.status).toBe(508);
    expect(counts - before).toBe(1);
    // The one hop that came back was refused, so nothing is left to come back again.
    expect(await edge.metrics()).toMatch(/edge_refused_requests_total\{[^}]*code="EDGE_FORWARDING_LOOP"[^}]*\} 1\n/);
  });
});

describe('the manifests directory disappearing and coming back', () => {
  let monolith: TestUpstream;
  let payments: TestUpstream;
  let edge: TestEdge;
  beforeAll(async () => {
    monolith = await startUpstream({ name: 'monolith' });
    payments = await startUpstream({ name: 'payments' });
    edge = await startTestEdge({
      routes: standardRoutes({ monolith: monolith.url, auth: monolith.url, payments: payments.url }),
      flags: [{ capability: 'payments', enabled: true, stage: 'live', rollout: 100 }],
    });
  });
  afterAll(async () => {
    await edge.stop();
    await Promise.all([monolith.stop(), payments.stop()]);
  });

  const served = async () => (await fetch(`${edge.url}/api/payments`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).headers.get('x-upstream');

  it('keeps routing by the last good manifests while it is gone (a failed mount, a deploy that swaps it), and reloads it when it is back', async () => {
    await eventually(async () => (await served()) === 'payments');
    const aside = `${edge.manifestsDir}.aside`;
    renameSync(edge.manifestsDir, aside);
    await eventually(() => /cannot read the manifests directory/.test(edge.runtime.routes.status()?.lastError?.errors.join('\n') ?? ''));
    expect(await served()).toBe('payments');
    renameSync(aside, edge.manifestsDir);
    await eventually(() => edge.runtime.routes.status()?.lastError === undefined);
    expect(await served()).toBe('payments');
    // Still watched after it came back: an edit to a manifest is applied.
    const file = path.join(edge.manifestsDir, 'payments.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { routes: Array<{ methods: unknown; path: string }> };
    writeFileSync(`${file}.tmp`, JSON.stringify({ ...manifest, routes: [...manifest.routes, { methods: 'GET', path: '/api/payments-report' }] }));
    renameSync(`${file}.tmp`, file);
    await eventually(async () => (await fetch(`${edge.url}/api/payments-report`)).headers.get('x-upstream') === 'payments');
  });
});

describe('/_edge/decide and the proxy agree on every spelling of a path', () => {
  let monolith: TestUpstream;
  let payments: TestUpstream;
  let edge: TestEdge;
  beforeAll(async () => {
    monolith = await startUpstream({ name: 'monolith' });
    payments = await startUpstream({ name: 'payments' });
    edge = await startTestEdge({
      routes: standardRoutes({ monolith: monolith.url, auth: monolith.url, payments: payments.url }),
      flags: [{ capability: 'payments', enabled: true, stage: 'complete', rollout: 100 }],
    });
  });
  afterAll(async () => {
    await edge.stop();
    await Promise.all([monolith.stop(), payments.stop()]);
  });

  it.each(['/api/payments', '//api/payments', '/api//payments', '/api/pay%6Dents', '/API/Payments/', '/api/payments/%70-1', '/api/payments?x=1'])('GET %s', async (spelling) => {
    await eventually(async () => (await fetch(`${edge.url}/api/payments`)).headers.get('x-upstream') === 'payments');
    const proxied = (await fetch(`${edge.url}${spelling}`)).headers.get('x-upstream');
    const explained = await jsonOf(fetch(`${edge.url}/_edge/decide?method=GET&path=${encodeURIComponent(spelling)}`));
    const side = proxied === 'payments' ? 'service' : 'monolith';
    expect({ side: explained.decision.side, capability: explained.capability }).toEqual({ side, capability: side === 'service' ? 'payments' : null });
  });

  it('a path the proxy refuses is refused by /_edge/decide too, naming why', async () => {
    // (fetch resolves %2e%2e itself; an encoded slash reaches the edge as sent.)
    const proxied = await fetch(`${edge.url}/api/payments%2F1`);
    expect(proxied.status).toBe(400);
    const explained = await fetch(`${edge.url}/_edge/decide?method=GET&path=${encodeURIComponent('/api/payments%2F1')}`);
    expect(explained.status).toBe(400);
    expect(await explained.text()).toMatch(/encoded slash/);
  });
});

// Found open by the red team on 9fe6909: the guard compared each capability with itself, but which
// capability owns a request is decided across them (the most specific route wins). A capability at
// monolith adding a more specific route, or losing one, moved another capability's writes with no flip.
describe('writes moved between capabilities by another capability’s routes', () => {
  let monolith: TestUpstream;
  let payments: TestUpstream;
  let edge: TestEdge;
  const writeManifest = (name: string, routes: Array<{ methods: string | string[]; path: string }>) => {
    const file = path.join(edge.manifestsDir, `${name}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify({ name, service: { url: monolith.url }, routes, databases: { monolith: { url: 'm.sqlite' }, service: { url: 's.sqlite' } } }));
    renameSync(`${file}.tmp`, file);
  };
  const served = async (url: string) => (await fetch(`${edge.url}${url}`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).headers.get('x-upstream');
  const refusal = async () => {
    await eventually(() => edge.runtime.routes.status()?.lastError !== undefined);
    return edge.runtime.routes.status()?.lastError?.errors ?? [];
  };

  beforeEach(async () => {
    monolith = await startUpstream({ name: 'monolith' });
    payments = await startUpstream({ name: 'payments' });
    edge = await startTestEdge({
      routes: standardRoutes({ monolith: monolith.url, auth: monolith.url, payments: payments.url }),
      flags: [{ capability: 'payments', enabled: true, stage: 'live', rollout: 100 }],
    });
    await eventually(async () => (await served('/api/payments/p1/capture')) === 'payments');
  });
  afterEach(async () => {
    await edge.stop();
    await Promise.all([monolith.stop(), payments.stop()]);
  });

  it('a capability at monolith adding a more specific route is refused: the live capability’s writes stay with its service', async () => {
    writeManifest('audit', [{ methods: 'POST', path: '/api/payments/p1/capture' }]);
    expect(await refusal()).toEqual([expect.stringMatching(/audit\.json: capability audit: routes: would move POST \/api\/payments\/p1\/capture from payments \(its flag strangler\.payments is at stage live\) to audit/)]);
    expect(await served('/api/payments/p1/capture')).toBe('payments');
  });

  it('the same through a `*` route: a narrower one of a capability at monolith is refused', async () => {
    writeManifest('audit', [{ methods: ['POST', 'DELETE'], path: '/api/test/:thing' }]);
    expect((await refusal()).join('\n')).toMatch(/capability audit: routes: would move POST \/api\/test\/:any, DELETE \/api\/test\/:any from payments/);
    expect(await served('/api/test/anything')).toBe('payments');
  });

  it('removing a capability at monolith whose specific route kept writes off the live one is refused', async () => {
    edge.setFlags([{ capability: 'payments', enabled: true, stage: 'reads', rollout: 100 }]);
    await eventually(async () => (await served('/api/test/anything')) === 'monolith');
    writeManifest('audit', [{ methods: 'POST', path: '/api/test/:thing' }]);
    await eventually(() => edge.runtime.routes.current().table.capabilities.some((c) => c.name === 'audit'));
    edge.setFlags([{ capability: 'payments', enabled: true, stage: 'live', rollout: 100 }]);
    await eventually(async () => (await served('/api/test/a/b')) === 'payments');
    expect(await served('/api/test/anything')).toBe('monolith');
    rmSync(path.join(edge.manifestsDir, 'audit.json'));
    expect((await refusal()).join('\n')).toMatch(/capability audit: routes: would move POST \/api\/test\/:any from audit .* to payments \(its flag strangler\.payments is at stage live\)/);
    expect(await served('/api/test/anything')).toBe('monolith');
    // Rolled back, the waiting removal is applied by itself.
    edge.setFlags([{ capability: 'payments', enabled: true, stage: 'reads', rollout: 100 }]);
    await eventually(() => !edge.runtime.routes.current().table.capabilities.some((c) => c.name === 'audit'), 10_000);
  });

  it('a capability at monolith whose routes take no live capability’s requests is taken', async () => {
    writeManifest('audit', [{ methods: 'POST', path: '/api/audit/:id' }, { methods: 'GET', path: '/api/test/report' }]);
    await eventually(() => edge.runtime.routes.current().table.capabilities.some((c) => c.name === 'audit'));
    expect(edge.runtime.routes.status()?.lastError).toBeUndefined();
    expect(await served('/api/test/report')).toBe('payments');
  });
});
