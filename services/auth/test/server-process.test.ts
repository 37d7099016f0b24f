import path from 'node:path';
import { describeDeployableProcess, expectRefusal, expectServesThenStops, httpClient, redisAvailable, TEST_REDIS_URL } from '@strangler/kit/testing';

// Runs the compiled server exactly as `npm run start:auth` does (`npm test` builds first).
const SERVER = path.resolve(__dirname, '../dist/server.js');

describeDeployableProcess('the auth service process', SERVER, ({ run, dir }) => {
  it('refuses to start on bad config, naming every variable and never printing a secret', async () => {
    const proc = run({
      PORT: 'http',
      DATABASE_URL: path.join(dir(), 'a.sqlite'),
      LOGIN_MAX_FAILURES_PER_ACCOUNT: '0',
      AUTH_PEERS: 'ftp://monolith',
      INTERNAL_API_TOKEN: 'too-short-secret',
    });
    await expectRefusal(proc, ['PORT="http"', 'LOGIN_MAX_FAILURES_PER_ACCOUNT="0"', 'AUTH_PEERS', 'INTERNAL_API_TOKEN="[redacted]"'], ['too-short-secret']);
  });

  it('refuses a throttle Redis URL that is not redis://, or a window Redis cannot keep', async () => {
    const env = { DATABASE_URL: path.join(dir(), 'a.sqlite'), LOGIN_THROTTLE_WINDOW_MS: '1500' };
    await expectRefusal(run({ ...env, AUTH_THROTTLE_REDIS_URL: 'http://127.0.0.1:6379' }), [
      'AUTH_THROTTLE_REDIS_URL="http://127.0.0.1:6379": must be a redis:// or rediss:// URL',
    ]);
    await expectRefusal(run({ ...env, AUTH_THROTTLE_REDIS_URL: 'redis://127.0.0.1:6379' }), ['LOGIN_THROTTLE_WINDOW_MS="1500": must be a whole number of seconds']);
  });

  it('does not start when the throttle Redis cannot be reached', async () => {
    const proc = run({ PORT: '0', DATABASE_URL: path.join(dir(), 'a.sqlite'), AUTH_THROTTLE_REDIS_URL: 'redis://127.0.0.1:1', LOG_LEVEL: 'silent' });
    await expectRefusal(proc, ["cannot reach the login throttle's Redis (AUTH_THROTTLE_REDIS_URL)"], ['listening']);
  });

  it('migrates an empty SQLite database, serves, and exits 0 on SIGTERM', async () => {
    const output = await expectServesThenStops(run({ PORT: '0', DATABASE_URL: path.join(dir(), 'nested', 'auth.sqlite') }), async (url) => {
      const registered = await httpClient(url).post('/api/auth/register', { email: 'proc@example.com', password: 'password1', name: 'P' });
      expect(registered.status).toBe(201);
    });
    expect(output).toContain('"service":"auth-service"');
  });

  (redisAvailable() ? it : it.skip)('counts login failures in Redis when configured, and closes it on SIGTERM', async () => {
    const proc = run({ PORT: '0', DATABASE_URL: path.join(dir(), 'auth.sqlite'), AUTH_THROTTLE_REDIS_URL: TEST_REDIS_URL, LOGIN_THROTTLE_WINDOW_MS: '2000' });
    await expectServesThenStops(proc, async () => {
      expect(proc.output()).toContain('"loginThrottle":"redis"');
    });
  });
});
