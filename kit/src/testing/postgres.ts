import { connect } from 'node:net';

/** Where tests find PostgreSQL (the edge's real Unleash server runs on it); the default is the local server CI runs. */
export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const AVAILABILITY_VARIABLE = 'STRANGLER_TEST_POSTGRES';

/**
 * Speaks just enough of the PostgreSQL wire protocol to learn whether a server accepts this user, with
 * no client library: a StartupMessage, then its replies. Trust auth answers AuthenticationOk and then
 * ReadyForQuery (`Z`) or an error (`E`, e.g. "role does not exist"); a password method answers with
 * its challenge, which counts as reachable (the password is the test's business, not the probe's).
 */
export function probePostgres(url: string = TEST_POSTGRES_URL, timeoutMs = 2_000): Promise<{ reachable: boolean; detail: string }> {
  const target = new URL(url);
  const user = decodeURIComponent(target.username || 'postgres');
  const database = decodeURIComponent(target.pathname.slice(1) || 'postgres');
  const params = Buffer.from(`user\0${user}\0database\0${database}\0\0`, 'utf8');
  const startup = Buffer.alloc(8);
  startup.writeInt32BE(8 + params.length, 0);
  startup.writeInt32BE(196608, 4); // protocol 3.0
  return new Promise((resolve) => {
    const socket = connect({ host: target.hostname, port: Number(target.port || 5432) });
    const done = (reachable: boolean, detail: string) => {
      clearTimeout(timer);
      if (!socket.destroyed) {
        // Terminate politely so the server logs no "unexpected EOF".
        if (reachable) socket.end(Buffer.from([0x58, 0, 0, 0, 4]));
        else socket.destroy();
      }
      resolve({ reachable, detail });
    };
    const timer = setTimeout(() => done(false, `no answer within ${timeoutMs} ms`), timeoutMs);
    socket.once('connect', () => socket.write(Buffer.concat([startup, params])));
    socket.once('error', (error) => done(false, error.message));
    let pending = Buffer.alloc(0);
    socket.on('data', (data: Buffer) => {
      pending = Buffer.concat([pending, data]);
      // Messages: 1 byte type, Int32 length (including itself), payload.
      while (pending.length >= 5) {
        const kind = String.fromCharCode(pending[0]!);
        const length = pending.readInt32BE(1);
        if (pending.length < 1 + length) return;
        const payload = pending.subarray(5, 1 + length);
        pending = pending.subarray(1 + length);
        if (kind === 'E') return done(false, payload.toString('utf8').split('\0').find((f) => f.startsWith('M'))?.slice(1) ?? 'error response');
        if (kind === 'Z') return done(true, 'ready for query');
        if (kind === 'R' && payload.readInt32BE(0) !== 0) return done(true, 'password authentication requested');
        if (!'RSKN'.includes(kind)) return done(false, `unexpected reply ${JSON.stringify(kind)}`);
      }
    });
  });
}

/**
 * Jest global setup calls this once, like recordMysqlAvailability: it records whether PostgreSQL is
 * reachable in the environment the workers inherit. Under CI=true an unreachable server fails the run.
 */
export async function recordPostgresAvailability(): Promise<void> {
  const { reachable, detail } = await probePostgres();
  process.env[AVAILABILITY_VARIABLE] = reachable ? 'available' : 'unavailable';
  if (!reachable && process.env.CI === 'true') {
    throw new Error(`CI=true but PostgreSQL is not reachable at ${TEST_POSTGRES_URL} (${detail}); start it (see .ci/run).`);
  }
  if (!reachable) {
    process.stderr.write(`\n[strangler] PostgreSQL not reachable at ${TEST_POSTGRES_URL} (${detail}): tests against a real Unleash server are skipped (CI=true makes this a failure).\n`);
  }
}

/** Whether tests that need PostgreSQL should run: true when global setup found it. */
export function postgresAvailable(): boolean {
  const availability = process.env[AVAILABILITY_VARIABLE];
  if (availability === undefined && process.env.CI === 'true') {
    throw new Error('PostgreSQL was not probed: run tests through the root jest config');
  }
  return availability === 'available';
}
