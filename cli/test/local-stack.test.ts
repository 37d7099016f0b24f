import { freePortBlock, localStack, type LocalStack } from './support/local-stack';

jest.setTimeout(180_000);

/**
 * `npm start` as the runbook uses it (issue #11 §6): a process that crashes is restarted, one
 * stopped on purpose stays stopped while the rest runs on, `capture remove` is not undone by the
 * next start, and the banner says where the flags come from.
 */
describe('the local stack launcher (npm start)', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = localStack(await freePortBlock());
  });
  afterAll(async () => {
    await stack.stop();
    stack.remove();
  });

  it('restarts what crashes, leaves stopped what an operator stops, and keeps capture off once removed', async () => {
    await stack.start();
    expect(stack.output()).toContain(`flags          ${stack.env.FLAGS_FILE} (the edge picks up edits within a second)`);

    // A crash (SIGKILL) is restarted.
    const crashed = stack.pidOf('sync-payments') as number;
    process.kill(crashed, 'SIGKILL');
    await stack.until('sync-payments restarted', async () => (stack.pidOf('sync-payments') ?? crashed) !== crashed && (await stack.ready(stack.ports.syncPayments)));
    expect(stack.output()).toMatch(/\[launcher\] sync-payments exited \(SIGKILL\); restarting it in [\d.]+ s/);

    // Stopped on purpose: stays stopped, the rest runs on.
    process.kill(stack.pidOf('sync-payments') as number, 'SIGTERM');
    await stack.until('sync-payments stopped', () => stack.output().includes('[launcher] sync-payments stopped (exit 0): left stopped'));
    expect(stack.pidOf('sync-payments')).toBeUndefined();
    expect(await stack.ready(stack.ports.edge)).toBe(true);

    // Runbook §6.4: capture removed stays removed across the next npm start.
    expect((await stack.shell('strangler data capture remove payments')).code).toBe(0);
    expect(await stack.stop()).toBe(0);
    await stack.start();
    expect(stack.output()).toMatch(/capture for payments was removed on .* left off, and no sync worker for it/);
    expect(stack.output()).toMatch(/sync payments +off \(capture removed\)/);
    expect(stack.pidOf('sync-payments')).toBeUndefined();
    const status = await stack.shell('strangler data status payments --json');
    expect(JSON.parse(status.out)).toMatchObject({ capture: { monolith: { installed: false }, service: { installed: false } } });
  });
});
