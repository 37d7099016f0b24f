import { Writable } from 'node:stream';
import { createLogger } from '@strangler/kit';
import { readEdgeConfig } from '../src/config';
import { createAccessLog } from '../src/proxy/access-log';

/** A kit logger (with its redaction) writing into an array of parsed lines. */
function capture(level = 'info') {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { logger: createLogger({ name: 'edge', level, destination }), lines, raw };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('the access log', () => {
  it('writes the same line as before (kit logger, redaction on), field for field and in order', async () => {
    const { logger, raw } = capture();
    createAccessLog(logger, { sampleRate: 1 }).finished('rid-1', 'GET', '/api/payments/p1?token=abc', 'payments', 'live', 'service', 'in_rollout', 200, undefined, 1.23456);
    // What the proxy handler logged before the access log existed.
    logger.info(
      { requestId: 'rid-1', method: 'GET', path: '/api/payments/p1', capability: 'payments', stage: 'live', target: 'service', reason: 'in_rollout', status: 200, fallback: undefined, durationMs: 1.23 },
      'request finished',
    );
    await flush();
    const withoutTime = raw.map((line) => line.replace(/"time":"[^"]+",/, ''));
    expect(withoutTime).toHaveLength(2);
    expect(withoutTime[0]).toBe(withoutTime[1]);
    expect(JSON.parse(raw[0]!)).toMatchObject({ level: 30, msg: 'request finished', path: '/api/payments/p1', durationMs: 1.23 });
  });

  it('keeps redacting everything else the edge logs', async () => {
    const { logger, lines } = capture();
    createAccessLog(logger, { sampleRate: 1 });
    logger.info({ headers: { authorization: 'Bearer secret' }, token: 't' }, 'other line');
    await flush();
    expect(lines[0]).toMatchObject({ headers: { authorization: '[redacted]' }, token: '[redacted]' });
  });

  it('samples ordinary requests but always logs 5xx answers, clients that left and fallbacks', async () => {
    const { logger, lines } = capture();
    let draw = 0;
    const random = () => [0.5, 0.005, 0.9][draw++ % 3]!;
    const log = createAccessLog(logger, { sampleRate: 0.01, random });
    for (let i = 0; i < 3; i += 1) log.finished(`ok-${i}`, 'GET', '/a', 'none', 'monolith', 'monolith', 'unmatched', 200, undefined, 1);
    log.finished('client-error', 'GET', '/a', 'none', 'monolith', 'monolith', 'unmatched', 404, undefined, 1);
    log.finished('server-error', 'GET', '/a', 'none', 'monolith', 'monolith', 'unmatched', 502, undefined, 1);
    log.finished('gone', 'GET', '/a', 'none', 'monolith', 'monolith', 'unmatched', 'aborted', undefined, 1);
    log.finished('fell-back', 'GET', '/a', 'payments', 'live', 'monolith', 'service_failed', 200, 'reset', 1);
    await flush();
    expect(lines.map((l) => [l.requestId, l.level])).toEqual([
      ['ok-1', 30],
      ['server-error', 40],
      ['gone', 30],
      ['fell-back', 30],
    ]);
  });

  it('logs one in a hundred ordinary requests by default (ACCESS_LOG_SAMPLE), every one with 1, none with 0', async () => {
    expect(readEdgeConfig({ HOST: '127.0.0.1' }).ACCESS_LOG_SAMPLE).toBe(0.01);
    expect(readEdgeConfig({ HOST: '127.0.0.1', ACCESS_LOG_SAMPLE: '1' }).ACCESS_LOG_SAMPLE).toBe(1);
    expect(() => readEdgeConfig({ HOST: '127.0.0.1', ACCESS_LOG_SAMPLE: '2' })).toThrow(/ACCESS_LOG_SAMPLE/);
    for (const [rate, expected] of [
      [1, 50],
      [0, 0],
    ] as const) {
      const { logger, lines } = capture();
      const log = createAccessLog(logger, { sampleRate: rate });
      for (let i = 0; i < 50; i += 1) log.finished(`r-${i}`, 'GET', '/a', 'none', 'monolith', 'monolith', 'unmatched', 200, undefined, 1);
      await flush();
      expect(lines).toHaveLength(expected);
    }
  });

  it('writes nothing below its level', async () => {
    const { logger, lines } = capture('warn');
    const log = createAccessLog(logger, { sampleRate: 1 });
    log.finished('ok', 'GET', '/a', 'none', 'monolith', 'monolith', 'unmatched', 200, undefined, 1);
    log.finished('bad', 'GET', '/a', 'none', 'monolith', 'monolith', 'unmatched', 503, undefined, 1);
    await flush();
    expect(lines.map((l) => l.requestId)).toEqual(['bad']);
  });
});
