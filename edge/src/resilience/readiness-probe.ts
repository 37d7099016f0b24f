import type { CircuitBreaker } from './circuit-breaker';

const UNAVAILABLE = new Set([502, 503, 504]);

/**
 * The probe of a half-open breaker when no waiting request may be one: a write whose body is not in
 * hand (login, registration: no Idempotency-Key, so not buffered) can never probe, and a capability
 * whose traffic is all such writes would keep its breaker open for good. The edge then asks the
 * service's readiness itself, in the background; any answer but 502/503/504 closes the breaker, as a
 * request's would (docs/decisions/0016-breaker-failures.md). At most one probe is out at a time (the
 * breaker's permit).
 */
export function probeReadiness(breaker: CircuitBreaker, serviceUrl: string, timeoutMs: number): void {
  const permit = breaker.tryAcquire(true);
  if (!permit) return;
  let url: URL;
  try {
    url = new URL('/health/ready', serviceUrl);
  } catch {
    permit.release();
    return;
  }
  void fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).then(
    async (response) => {
      await response.arrayBuffer().catch(() => undefined);
      if (UNAVAILABLE.has(response.status)) permit.failure();
      else permit.success();
    },
    () => permit.failure(),
  );
}
