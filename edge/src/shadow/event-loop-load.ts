import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { LoadProbe } from './shadow-types';

/**
 * The share of the last `periodMs` the event loop spent running code rather than waiting for I/O
 * (Node's event-loop utilization), sampled by an unref'd timer so a read costs nothing. A proxy's
 * latency climbs steeply as this nears 1: the shadow mirror backs off before that.
 */
export function eventLoopLoad(periodMs = 100): LoadProbe {
  let previous: EventLoopUtilization = performance.eventLoopUtilization();
  let current = 0;
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    current = performance.eventLoopUtilization(now, previous).utilization;
    previous = now;
  }, periodMs);
  timer.unref();
  return {
    utilization: () => current,
    stop: () => clearInterval(timer),
  };
}
