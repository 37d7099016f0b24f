import { connect } from 'node:net';

/** Where tests find Redis (the auth service's shared login throttle); the default is the local server CI runs. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const AVAILABILITY_VARIABLE = 'STRANGLER_TEST_REDIS';

/**
 * Sends an inline PING and reads the first reply line, with no client library: `+PONG` is a server
 * that serves; `-NOAUTH …` is one that wants a password (reachable: the password is the test's business).
 */
export function probeRedis(url: string = TEST_REDIS_URL, timeoutMs = 2_000): Promise<{ reachable: boolean; detail: string }> {
  const target = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: target.hostname.replace(/^\[|\]$/g, ''), port: Number(target.port || 6379) });
    const done = (reachable: boolean, detail: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ reachable, detail });
    };
    const timer = setTimeout(() => done(false, `no answer within ${timeoutMs} ms`), timeoutMs);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('error', (error) => done(false, error.message));
    let reply = '';
    socket.on('data', (data: Buffer) => {
      reply += data.toString('utf8');
      const line = reply.split('\r\n')[0];
      if (reply.includes('\r\n') && line !== undefined) done(line === '+PONG' || line.startsWith('-NOAUTH'), line);
    });
  });
}

/**
 * Jest global setup calls this once, like recordMysqlAvailability: it records whether Redis is
 * reachable in the environment the workers inherit. Under CI=true an unreachable server fails the run.
 */
export async function recordRedisAvailability(): Promise<void> {
  const { reachable, detail } = await probeRedis();
  process.env[AVAILABILITY_VARIABLE] = reachable ? 'available' : 'unavailable';
  if (!reachable && process.env.CI === 'true') {
    throw new Error(`CI=true but Redis is not reachable at ${TEST_REDIS_URL} (${detail}); start it (see .ci/run).`);
  }
  if (!reachable) {
    process.stderr.write(`\n[strangler] Redis not reachable at ${TEST_REDIS_URL} (${detail}): Redis-backed login throttling tests are skipped (CI=true makes this a failure).\n`);
  }
}

/** Whether tests that need Redis should run: true when global setup found it. */
export function redisAvailable(): boolean {
  const availability = process.env[AVAILABILITY_VARIABLE];
  if (availability === undefined && process.env.CI === 'true') {
    throw new Error('Redis was not probed: run tests through the root jest config');
  }
  return availability === 'available';
}
