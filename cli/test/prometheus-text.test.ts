import { histogramQuantile, parsePrometheusText, select, subtract, sum } from '../src/sources/prometheus-text';

const TEXT = `# HELP edge_request_duration_seconds Proxied request duration
# TYPE edge_request_duration_seconds histogram
edge_request_duration_seconds_bucket{le="0.01",capability="payments",target="service",status="200",service="edge"} 50
edge_request_duration_seconds_bucket{le="0.1",capability="payments",target="service",status="200",service="edge"} 90
edge_request_duration_seconds_bucket{le="1",capability="payments",target="service",status="200",service="edge"} 100
edge_request_duration_seconds_bucket{le="+Inf",capability="payments",target="service",status="200",service="edge"} 100
edge_request_duration_seconds_count{capability="payments",target="service",status="200",service="edge"} 100
edge_request_duration_seconds_bucket{le="0.01",capability="payments",target="service",status="503",service="edge"} 0
edge_request_duration_seconds_bucket{le="0.1",capability="payments",target="service",status="503",service="edge"} 0
edge_request_duration_seconds_bucket{le="1",capability="payments",target="service",status="503",service="edge"} 0
edge_request_duration_seconds_bucket{le="+Inf",capability="payments",target="service",status="503",service="edge"} 100
edge_request_duration_seconds_count{capability="payments",target="service",status="503",service="edge"} 100
odd_label{path="a \\"quoted\\" \\\\ value"} 1.5e3
`;

describe('Prometheus text', () => {
  const samples = parsePrometheusText(TEXT);

  it('parses samples with labels, escapes and exponents; comments skipped', () => {
    expect(select(samples, 'odd_label')).toEqual([{ name: 'odd_label', labels: { path: 'a "quoted" \\ value' }, value: 1500 }]);
    expect(sum(select(samples, 'edge_request_duration_seconds_count', { capability: 'payments', status: '503' }))).toBe(100);
  });

  it('quantiles interpolate within the bucket, summed over series; beyond the last bound is that bound', () => {
    const ok = select(samples, 'edge_request_duration_seconds_bucket', { status: '200' });
    expect(histogramQuantile(0.5, ok)).toBeCloseTo(0.01);
    expect(histogramQuantile(0.99, ok)).toBeCloseTo(0.1 + 0.9 * 0.9);
    const all = select(samples, 'edge_request_duration_seconds_bucket');
    expect(histogramQuantile(0.99, all)).toBe(1);
    expect(histogramQuantile(0.99, [])).toBeUndefined();
  });

  it('subtracts an earlier scrape; a restarted counter counts from zero', () => {
    const before = parsePrometheusText('c{a="1"} 10\nc{a="2"} 50\n');
    const after = parsePrometheusText('c{a="1"} 15\nc{a="2"} 3\nc{a="3"} 7\n');
    expect(subtract(after, before).map((s) => s.value)).toEqual([5, 3, 7]);
  });
});
