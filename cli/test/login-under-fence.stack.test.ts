import { createLogger, listen, type RunningServer } from '@strangler/kit';
import { buildMonolithApp } from '@strangler/monolith';
import { lowerDbFence, raiseDbFence } from '@strangler/data-engine';
import { createDataSides, shippedCapability, type DataSides } from './support/cli-harness';

jest.setTimeout(30_000);

/**
 * Red team on 261f8b6 (the same class as the logout it fixed): a login with the right password
 * cleared the account's failed attempts before the transaction that opens its session, which the
 * write fence may refuse (503 WRITE_FENCED). The refused login changed the throttle: a guesser one
 * failure short of the lock found the count back at zero. A refused login must change nothing.
 */
describe('a login refused by the write fence (monolith, default throttle: 5 failures per account)', () => {
  const logger = createLogger({ name: 'login-fence', level: 'silent' });
  let sides: DataSides;
  let monolith: RunningServer;

  beforeAll(async () => {
    sides = await createDataSides('sqlite');
    monolith = await listen(buildMonolithApp({ db: sides.monolith, logger, sessionTtlMs: 3_600_000, internalToken: 'i'.repeat(32) }), 0, '127.0.0.1');
  });

  afterAll(async () => {
    await monolith?.close();
    await sides?.close();
  });

  const login = (password: string) =>
    fetch(`${monolith.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'fenced-login@example.com', password }) });

  it('answers 503 WRITE_FENCED and leaves the failed attempts counted: the next failure still locks the account', async () => {
    const registered = await fetch(`${monolith.url}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'fenced-login@example.com', password: 'correct horse battery', name: 'F' }),
    });
    expect(registered.status).toBe(201);
    for (let i = 0; i < 4; i += 1) expect((await login('wrong password!')).status).toBe(401);

    await raiseDbFence(sides.monolith.knex, shippedCapability('auth'), 'monolith', 'test-flip', 30_000);
    const refused = await login('correct horse battery');
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { code: string }).code).toBe('WRITE_FENCED');
    await lowerDbFence(sides.monolith.knex, shippedCapability('auth'), 'test-flip');

    // As if the refused login never happened: the fifth failure uses up the limit, then even the right password waits.
    expect((await login('wrong password!')).status).toBe(401);
    expect((await login('correct horse battery')).status).toBe(429);
  });
});
