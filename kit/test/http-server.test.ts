import { listen } from '../src/lifecycle/http-server';

describe('graceful close', () => {
  it('lets an in-flight request finish, then refuses new connections', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const server = await listen((_req, res) => {
      void released.then(() => res.end('done'));
    }, 0, '127.0.0.1');
    const inFlight = fetch(server.url).then((r) => r.text());
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closed = server.close(5_000);
    release();
    await expect(inFlight).resolves.toBe('done');
    const started = Date.now();
    await closed;
    expect(Date.now() - started).toBeLessThan(1_000);
    await expect(fetch(server.url)).rejects.toThrow();
  });

  it('drops requests still running after the bounded wait', async () => {
    const server = await listen(() => undefined, 0, '127.0.0.1');
    const hanging = fetch(server.url).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await server.close(200);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(String(await hanging)).toMatch(/fetch failed/);
  });
});
