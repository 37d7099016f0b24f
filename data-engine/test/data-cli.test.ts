import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { testDialects } from '@strangler/kit/testing';
import { runDataCommand, type DataIo } from '../src/cli/data-command';
import { parseDataArgs as parse } from '../src/cli/data-args';
import { loadCapabilities } from '../src/data/capabilities';
import { createHarness, killStrayChildren, runCli, type Harness } from './support/data-harness';
import { MANIFESTS_DIR } from './support/shipped-capabilities';
import { insertMonolithPayments } from './support/payment-rows';

jest.setTimeout(60_000);

async function run(argv: string[], env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const io: DataIo = { out: (t) => (out += t), err: (t) => (err += t), interactive: false, process: new EventEmitter() as unknown as DataIo['process'] };
  const code = await runDataCommand(argv, { LOG_LEVEL: 'silent', MANIFESTS_DIR, ...env }, io);
  return { code, out, err };
}

describe('npm run data: arguments', () => {
  it('prints help for --help, help and no arguments', async () => {
    for (const argv of [['--help'], ['help'], [], ['verify', 'payments', '-h']]) {
      const result = await run(argv);
      expect(result.code).toBe(0);
      expect(result.out).toMatch(/^Usage: npm run data -- <command> <capability>/);
      expect(result.out).toContain('payments   payments, refunds, idempotency_keys');
    }
  });

  it.each([
    [['frobnicate', 'payments'], /unknown command "frobnicate"/],
    [['verify'], /a capability is required: auth or payments/],
    [['verify', 'orders'], /unknown capability "orders": use auth or payments/],
    [['backfill', 'payments', '--direction', 'sideways'], /--direction must be to-service or to-monolith, got "sideways"/],
    [['backfill', 'payments', '--direction', 'both'], /--direction must be to-service or to-monolith/],
    [['backfill', 'payments', '--chunk-size', '0'], /--chunk-size must be a whole number from 1 to 100000, got "0"/],
    [['backfill', 'payments', '--mapping', 'users'], /--mapping: payments has payments, refunds, idempotency_keys; got "users"/],
    [['verify', 'payments', '--dry-run'], /verify does not take --dry-run/],
    [['capture', 'payments'], /capture needs install or remove/],
    [['capture', 'install', 'payments', 'extra'], /unexpected argument "extra"/],
    [['sync', 'auth', '--authority', 'service'], /--authority is gone: a conflict is no longer decided by a side or a clock/],
    [['backfill', 'auth', '--authority', 'monolith'], /--authority is gone/],
    [['quarantine', 'payments'], /quarantine needs list, retry or resolve/],
    [['quarantine', 'resolve', 'payments', 'payments', '["a"]'], /--keep must be monolith or service/],
    [['quarantine', 'resolve', 'payments', 'orders', '["a"]', '--keep', 'service'], /needs one mapping of payments \(payments, refunds, idempotency_keys\), got "orders"/],
    [['quarantine', 'resolve', 'payments', 'payments', 'abc', '--keep', 'service'], /the key must be a JSON array of strings/],
    [['quarantine', 'resolve', 'payments', 'idempotency_keys', '["u"]', '--keep', 'service'], /a idempotency_keys key has 2 part\(s\), got 1/],
    [['quarantine', 'retry', 'payments', '--all'], /quarantine retry does not take --all/],
    [['verify', 'payments', '--quarantine'], /verify does not take --quarantine/],
    [['sync', 'payments', '--stall-seconds', '0'], /--stall-seconds must be a whole number from 1/],
    [['sync', 'auth', '--once', '--port', '1'], /--once runs without HTTP/],
    [['status', 'auth', '--bogus'], /Unknown option '--bogus'/],
  ])('refuses %j with exit 2 and a reason', async (argv, reason) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(reason);
    expect(result.err).toContain('npm run data -- --help');
  });

  it('parses sync --direction both into both workers', () => {
    const shipped = loadCapabilities({ dir: MANIFESTS_DIR, env: {} });
    const parseDataArgs = (argv: string[]) => parse(argv, shipped);
    expect(parseDataArgs(['sync', 'payments', '--direction', 'both'])).toMatchObject({ kind: 'run', run: { directions: ['to-service', 'to-monolith'] } });
    expect(parseDataArgs(['backfill', 'payments', '--quarantine'])).toMatchObject({ run: { quarantine: true } });
    expect(parseDataArgs(['quarantine', 'resolve', 'payments', 'idempotency_keys', '["u","k"]', '--keep', 'monolith'])).toMatchObject({
      run: { command: 'quarantine', action: 'resolve', mapping: 'idempotency_keys', key: ['u', 'k'], keep: 'monolith' },
    });
    expect(parseDataArgs(['capture', 'install', 'auth', '--direction', 'to-monolith'])).toMatchObject({ run: { sides: ['service'] } });
  });
});

describe('npm run data: databases it cannot use', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'data-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names an unreachable MySQL server, without its password, exit 1 (and JSON with --json)', async () => {
    const result = await run(['status', 'payments', '--json'], { MONOLITH_DATABASE_URL: 'mysql://root:s3cret@127.0.0.1:1/nowhere' });
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^data: cannot reach the monolith database at mysql:\/\/root:\*\*\*@127\.0\.0\.1:1\/nowhere: .*ECONNREFUSED/);
    expect(result.err).not.toContain('s3cret');
    expect(JSON.parse(result.out)).toMatchObject({ ok: false, error: expect.stringContaining('cannot reach the monolith database') });
  });

  it('does not create a SQLite file that is not there', async () => {
    const missing = path.join(dir, 'nope.sqlite');
    const result = await run(['verify', 'auth'], { MONOLITH_DATABASE_URL: missing });
    expect(result.code).toBe(1);
    expect(result.err).toContain(`the monolith database ${missing} does not exist`);
  });

  it('asks for the schema migrations on an empty database', async () => {
    const empty = path.join(dir, 'empty.sqlite');
    writeFileSync(empty, '');
    const result = await run(['backfill', 'payments'], { MONOLITH_DATABASE_URL: empty, PAYMENTS_DATABASE_URL: empty });
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/the monolith database lacks table payments, table refunds, table idempotency_keys: apply its schema migrations first \(npm run migrate\)/);
  });

  it('refuses a bad URL in the environment, naming the variable', async () => {
    const result = await run(['status', 'auth'], { AUTH_DATABASE_URL: 'postgres://x/y' });
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/AUTH_DATABASE_URL="postgres:\/\/x\/y": must be a mysql:\/\/ URL or a SQLite file path/);
  });
});

describe.each(testDialects())('npm run data on %s', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(dialect, 'payments');
    await insertMonolithPayments(h.knex('monolith'), 30);
  });
  afterAll(async () => {
    killStrayChildren();
    await h?.close();
  });

  it('walks capture → backfill → sync → status → verify → capture remove, human and --json', async () => {
    expect((await run(['sync', 'payments', '--once'], h.env)).err).toMatch(/change capture for payments is not installed on the monolith: npm run data -- capture install payments/);

    const install = await run(['capture', 'install', 'payments', '--json'], h.env);
    expect(install.code).toBe(0);
    expect(JSON.parse(install.out).results).toMatchObject([
      { side: 'monolith', action: 'installed', changelog: 'sync_changelog_payments', triggers: 9, created: expect.arrayContaining([expect.stringMatching(/^sync_payments_payments_ins_[0-9a-f]{8}$/)]), replaced: [] },
      { side: 'service', action: 'installed', changelog: 'sync_changelog_payments', triggers: 9, replaced: [] },
    ]);
    // Installing again changes nothing (no trigger is dropped and re-created: no gap in capture).
    const again = await run(['capture', 'install', 'payments'], h.env);
    expect(again.out).toMatch(/capture installed on the monolith \(sync_changelog_payments, 9 triggers: already current, nothing changed\)/);
    const backfill = await run(['backfill', 'payments', '--json'], h.env);
    expect(backfill.code).toBe(0);
    expect(JSON.parse(backfill.out)).toMatchObject({ ok: true, direction: 'to-service', rows: 30, mappings: [{ mapping: 'payments', counts: { inserted: 30 } }, {}, {}] });

    await h.knex('monolith')('payments').update({ description: 'changed', updated_at: new Date() });
    const status = await run(['status', 'payments', '--json'], h.env);
    expect(JSON.parse(status.out)).toMatchObject({ capture: { monolith: { installed: true, pending: 30 }, service: { installed: true, pending: 0 } } });
    const removeRefused = await run(['capture', 'remove', 'payments'], h.env);
    expect(removeRefused.code).toBe(1);
    expect(removeRefused.err).toMatch(/30 captured change\(s\) on the monolith have not been synced yet.*\(nothing was removed\)/);

    const sync = await run(['sync', 'payments', '--once'], h.env);
    expect(sync.out).toBe('sync payments to-service: 30 captured change(s) applied\n');
    const human = await run(['status', 'payments'], h.env);
    expect(human.out).toMatch(/capture on the monolith: installed, 0 change\(s\) waiting/);
    expect(human.out).toMatch(/backfill to-service payments: complete, 30 rows/);
    expect(human.out).toMatch(/sync to-service: 30 changes applied/);
    expect(human.out).toMatch(/rows payments: monolith 30, service 30/);
    expect(human.out).toMatch(/quarantine to-service: empty/);

    const verify = await run(['verify', 'payments'], h.env);
    expect(verify.code).toBe(0);
    expect(verify.out).toMatch(/^verify payments: EQUAL/);
    expect(verify.out).toMatch(/invariant refunds-add-up: holds/);
    const remove = await run(['capture', 'remove', 'payments'], h.env);
    expect(remove.code).toBe(0);
    expect((await run(['status', 'payments', '--json'], h.env)).out).toMatch(/"installed": false/);
  });

  it('the compiled CLI answers the same (npm run data runs it)', async () => {
    const result = await runCli(['status', 'payments', '--json'], h.env);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).rows[0]).toEqual({ mapping: 'payments', monolith: 30, service: 30 });
  });
});
