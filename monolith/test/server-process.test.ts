import path from 'node:path';
import { describeDeployableProcess, expectRefusal, expectServesThenStops, httpClient } from '@strangler/kit/testing';

// Runs the compiled server exactly as `npm run start:monolith` does (`npm test` builds first).
const SERVER = path.resolve(__dirname, '../dist/server.js');

describeDeployableProcess('the monolith process', SERVER, ({ run, dir }) => {
  it('refuses to start on bad config, naming the variable', async () => {
    await expectRefusal(run({ PORT: 'http', LOG_LEVEL: 'chatty', DATABASE_URL: path.join(dir(), 'm.sqlite') }), ['PORT="http"', 'LOG_LEVEL="chatty"']);
  });

  it('migrates an empty SQLite database, serves, and exits 0 on SIGTERM', async () => {
    await expectServesThenStops(run({ PORT: '0', DATABASE_URL: path.join(dir(), 'nested', 'm.sqlite') }), async (url) => {
      const registered = await httpClient(url).post('/api/auth/register', { email: 'proc@example.com', password: 'password1', name: 'P' });
      expect(registered.status).toBe(201);
    });
  });
});
