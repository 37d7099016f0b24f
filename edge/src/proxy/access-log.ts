import type { Logger } from '@strangler/kit';
import type { Side as Target, Stage } from '@strangler/cutover-model';
import type { RouteReason } from '../routing/route-decision';

/** One line per proxied request: `request finished`, with where it went and how it ended. */
export interface AccessLog {
  finished(
    requestId: string,
    method: string,
    url: string,
    capability: string,
    stage: Stage,
    target: Target,
    /** Why it went there (route-decision.ts). */
    reason: RouteReason,
    status: number | 'aborted',
    fallback: string | undefined,
    durationMs: number,
  ): void;
}

export interface AccessLogOptions {
  /**
   * The share of ordinary requests logged (ACCESS_LOG_SAMPLE, 0..1). Requests that went wrong are
   * always logged: a 5xx answer, a client that left before its answer, a fallback to the monolith.
   */
  sampleRate: number;
  random?: () => number;
}

/**
 * The access log. Its lines have a fixed shape with nothing secret in them (the path without the query
 * string, ids, labels, numbers), so they are written through a child logger without kit's redaction
 * paths, which would otherwise be re-parsed for every field of every line (pino 10's redaction); the
 * bytes written are the same (a test compares them). Every other edge log line keeps the redaction.
 */
export function createAccessLog(logger: Logger, options: AccessLogOptions): AccessLog {
  const lines = logger.child({}, { redact: [] });
  const rate = options.sampleRate;
  const random = options.random ?? Math.random;
  return {
    finished(requestId, method, url, capability, stage, target, reason, status, fallback, durationMs) {
      const level = typeof status === 'number' && status >= 500 ? 'warn' : 'info';
      if (!lines.isLevelEnabled(level)) return;
      const failed = status === 'aborted' || level === 'warn';
      if (!failed && fallback === undefined && rate < 1 && !(random() < rate)) return;
      const query = url.indexOf('?');
      const line = {
        requestId,
        method,
        path: query === -1 ? url : url.slice(0, query),
        capability,
        stage,
        target,
        reason,
        status,
        fallback,
        durationMs: Math.round(durationMs * 100) / 100,
      };
      lines[level](line, 'request finished');
    },
  };
}
