import { Histogram, Registry } from 'prom-client';
import { createEdgeMetrics } from '../src/metrics/edge-metrics';
import { RequestHistogram } from '../src/metrics/request-histogram';

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LABELS = ['capability', 'target', 'status'] as const;

describe('RequestHistogram', () => {
  it('exports exactly what prom-client’s Histogram exports for the same observations (text and JSON)', async () => {
    const [ours, theirs] = [new Registry(), new Registry()];
    for (const registry of [ours, theirs]) registry.setDefaultLabels({ service: 'edge' });
    const fast = new RequestHistogram('edge_request_duration_seconds', 'Proxied request duration', LABELS, BUCKETS, [ours]);
    const reference = new Histogram({ name: 'edge_request_duration_seconds', help: 'Proxied request duration', labelNames: LABELS, buckets: BUCKETS, registers: [theirs] });
    const combinations = [
      { capability: 'payments', target: 'service', status: '200' },
      { capability: 'none', target: 'monolith', status: 'aborted' },
      { capability: 'auth', target: 'monolith', status: '502' },
    ];
    const handles = combinations.map((labels) => fast.handle(labels));
    for (let i = 0; i < 5_000; i += 1) {
      const which = i % 3;
      const seconds = ((i * 7919) % 12_000) / 1_000 + (i % 2 ? 0.0001 : 0) + (i % 11 === 0 ? BUCKETS[i % BUCKETS.length]! : 0);
      handles[which]!.observe(seconds);
      reference.observe(combinations[which]!, seconds);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());

    ours.resetMetrics();
    theirs.resetMetrics();
    expect(await ours.metrics()).toBe(await theirs.metrics());
    handles[1]!.observe(0.3);
    reference.observe(combinations[1]!, 0.3);
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });
});

describe('the edge’s per-request metrics', () => {
  it('are all there at the next scrape, counted once each', async () => {
    const metrics = createEdgeMetrics({ defaultMetrics: false });
    for (let i = 0; i < 10; i += 1) metrics.recordProxiedRequest('payments', 'service', 200, 'live', 'in_rollout', 0.002);
    metrics.recordProxiedRequest('none', 'monolith', 'aborted', 'monolith', 'unmatched', 0.5);
    for (let i = 0; i < 4; i += 1) metrics.onUserLookup('cached');
    metrics.onUserLookup('resolved');
    const first = await metrics.registry.metrics();
    expect(first).toContain('edge_requests_total{capability="payments",target="service",status="200",stage="live",reason="in_rollout",service="edge"} 10');
    expect(first).toContain('edge_requests_total{capability="none",target="monolith",status="aborted",stage="monolith",reason="unmatched",service="edge"} 1');
    expect(first).toContain('edge_request_duration_seconds_count{service="edge",capability="payments",target="service",status="200"} 10');
    expect(first).toContain('edge_request_duration_seconds_bucket{le="0.0025",service="edge",capability="payments",target="service",status="200"} 10');
    expect(first).toContain('edge_user_lookups_total{result="cached",service="edge"} 4');
    metrics.recordProxiedRequest('payments', 'service', 200, 'live', 'in_rollout', 0.002);
    const second = await metrics.registry.metrics();
    expect(second).toContain('status="200",stage="live",reason="in_rollout",service="edge"} 11');
    expect(second).toContain('edge_user_lookups_total{result="cached",service="edge"} 4');
  });
});
