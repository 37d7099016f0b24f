import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import knex, { type Knex } from 'knex';
import { CapabilityConfigError, loadCapabilities, loadDataConfig, openEngine, runDataCommand, type DataIo } from '../src';
import { killStrayChildren, runCli } from './support/data-harness';

jest.setTimeout(60_000);

/**
 * The proof of #16 for the data engine: a capability that exists only as files in a temp directory
 * — a manifest, a declarative mapping and two SQLite databases this test creates — gets capture,
 * backfill, sync and verify from the engine as it ships, through its CLI and its library API.
 */

const manifest = (overrides: Record<string, unknown> = {}) => ({
  name: 'orders',
  service: { url: '${ORDERS_SERVICE_URL:-http://127.0.0.1:3999}' },
  routes: [{ methods: ['GET', 'POST'], path: '/api/orders' }],
  databases: { monolith: { url: '${ORDERS_MONOLITH_DB}' }, service: { url: '${ORDERS_SERVICE_DB}' } },
  data: { mappings: [{ file: 'mappings/orders.json' }] },
  ...overrides,
});

const mapping = {
  name: 'orders',
  describe: 'order {id}',
  key: ['id'],
  monolith: { table: 'legacy_orders' },
  service: { table: 'orders' },
  columns: {
    id: { type: 'text', monolith: 'order_ref' },
    total_minor: { type: 'money', monolith: 'total', currency: 'currency', positive: true },
    currency: { type: 'currency', monolith: 'currency_code' },
    state: { type: 'enum', values: ['open', 'paid', 'shipped'], monolithCase: 'upper' },
    meta: { type: 'json', nullable: true },
    note: { type: 'text', nullable: true, monolith: 'remark' },
    placed_at: { type: 'timestamp' },
  },
  conflicts: { deleteWins: true },
};

interface Run {
  code: number;
  out: string;
  err: string;
}

describe('a capability declared by files alone', () => {
  let dir: string;
  let env: Record<string, string>;
  let monolith: Knex;
  let service: Knex;

  async function data(argv: string[], extra: Record<string, string> = {}): Promise<Run> {
    let out = '';
    let err = '';
    const io: DataIo = { out: (t) => (out += t), err: (t) => (err += t), interactive: false, process: new EventEmitter() as unknown as DataIo['process'] };
    const code = await runDataCommand(argv, { ...env, ...extra }, io);
    return { code, out, err };
  }

  const write = (file: string, value: unknown) => writeFileSync(path.join(dir, 'manifests', file), typeof value === 'string' ? value : JSON.stringify(value, null, 2));

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'orders-capability-'));
    mkdirSync(path.join(dir, 'manifests', 'mappings'), { recursive: true });
    const urls = { monolith: path.join(dir, 'monolith.sqlite'), service: path.join(dir, 'orders.sqlite') };
    env = { MANIFESTS_DIR: path.join(dir, 'manifests'), ORDERS_MONOLITH_DB: urls.monolith, ORDERS_SERVICE_DB: urls.service, LOG_LEVEL: 'silent' };
    const open = (file: string) => knex({ client: 'better-sqlite3', connection: { filename: file }, useNullAsDefault: true });
    monolith = open(urls.monolith);
    service = open(urls.service);
    await monolith.schema.createTable('legacy_orders', (t) => {
      t.string('order_ref', 36).primary();
      t.decimal('total', 15, 3).notNullable();
      t.string('currency_code', 3).notNullable();
      t.string('state', 16).notNullable();
      t.text('meta');
      t.string('remark');
      t.datetime('placed_at', { precision: 3 }).notNullable();
    });
    await service.schema.createTable('orders', (t) => {
      t.string('id', 36).primary();
      t.bigInteger('total_minor').notNullable();
      t.string('currency', 3).notNullable();
      t.string('state', 16).notNullable();
      t.text('meta');
      t.string('note');
      t.datetime('placed_at', { precision: 3 }).notNullable();
    });
    const at = new Date('2031-05-06T07:08:09.123Z');
    await monolith('legacy_orders').insert([
      { order_ref: 'o-1', total: '19.99', currency_code: 'USD', state: 'OPEN', meta: '{"gift":true}', remark: null, placed_at: at },
      { order_ref: 'o-2', total: '1000', currency_code: 'JPY', state: 'PAID', meta: null, remark: 'ünïcödé', placed_at: at },
      { order_ref: 'o-3', total: '1.234', currency_code: 'KWD', state: 'SHIPPED', meta: '[1,2]', remark: null, placed_at: at },
    ]);
  });

  beforeEach(() => {
    write('orders.json', manifest());
    write('mappings/orders.json', mapping);
  });

  afterEach(killStrayChildren);

  afterAll(async () => {
    await monolith?.destroy();
    await service?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is listed by the engine with its mapping, and its databases are the manifest’s', async () => {
    const help = await data(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('orders     orders');
    expect(loadDataConfig(env).capabilities.map((c) => [c.name, c.databases])).toEqual([['orders', { monolith: env.ORDERS_MONOLITH_DB, service: env.ORDERS_SERVICE_DB }]]);
  });

  it('gets capture, backfill, sync and verify with no engine change', async () => {
    expect((await data(['capture', 'install', 'orders'])).code).toBe(0);
    const backfill = await data(['backfill', 'orders', '--json']);
    expect(backfill.code).toBe(0);
    expect(JSON.parse(backfill.out)).toMatchObject({ ok: true, rows: 3, mappings: [{ mapping: 'orders', status: 'done', rows: 3 }] });
    expect(await service('orders').orderBy('id').select('id', 'total_minor', 'currency', 'state', 'meta', 'note')).toEqual([
      { id: 'o-1', total_minor: 1999, currency: 'USD', state: 'open', meta: '{"gift":true}', note: null },
      { id: 'o-2', total_minor: 1000, currency: 'JPY', state: 'paid', meta: null, note: 'ünïcödé' },
      { id: 'o-3', total_minor: 1234, currency: 'KWD', state: 'shipped', meta: '[1,2]', note: null },
    ]);
    const verify = await data(['verify', 'orders', '--json', '--rechecks', '0']);
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.out)).toMatchObject({ ok: true, capability: 'orders' });

    // A write on the monolith after the backfill: captured, carried by the sync.
    await monolith('legacy_orders').where({ order_ref: 'o-1' }).update({ state: 'PAID', total: '25.50' });
    const sync = await data(['sync', 'orders', '--once', '--json']);
    expect(sync.code).toBe(0);
    expect(await service('orders').where({ id: 'o-1' }).first()).toMatchObject({ state: 'paid', total_minor: 2550 });

    // The library API the strangler CLI uses, on the same capability.
    const engine = openEngine(loadDataConfig(env));
    try {
      expect((await engine.verify('orders', { rechecks: 0 })).ok).toBe(true);
      expect((await engine.backlog('orders'))['to-service']).toMatchObject({ installed: true, pending: 0 });
    } finally {
      await engine.close();
    }

    // The compiled CLI, as an operator runs it: a difference is found and named.
    await service('orders').where({ id: 'o-2' }).update({ total_minor: 999 });
    const drift = await runCli(['verify', 'orders', '--rechecks', '0'], env);
    expect(drift.code).toBe(3);
    expect(drift.stdout).toContain('different ["o-2"]: total_minor: monolith "1000"');
  });

  it('refuses a row it cannot carry exactly, naming it', async () => {
    await monolith('legacy_orders').insert({ order_ref: 'o-4', total: '10.005', currency_code: 'USD', state: 'OPEN', placed_at: new Date() });
    try {
      const result = await data(['backfill', 'orders', '--restart']);
      expect(result.code).toBe(1);
      expect(result.err).toMatch(/order o-4 has total 10.005 that USD cannot hold exactly/);
    } finally {
      await monolith('legacy_orders').where({ order_ref: 'o-4' }).delete();
    }
  });

  it.each([
    [
      'a mapping file field',
      () => write('mappings/orders.json', { ...mapping, columns: { ...mapping.columns, total_minor: { type: 'money', monolith: 'total', currency: 'cur' } } }),
      /mappings\/orders\.json: capability orders: columns\.total_minor\.currency: names "cur", which is neither a currency column nor a lookup of both sides/,
    ],
    ['a mapping file that is missing', () => write('orders.json', manifest({ data: { mappings: [{ file: 'mappings/nope.json' }] } })), /nope\.json: capability orders: \(file\): cannot be read/],
    [
      'a module without the export',
      () => write('orders.json', manifest({ data: { mappings: [{ module: '@strangler/data-engine/example-mappings', export: 'ordersMapping' }] } })),
      /orders\.json: capability orders: data\.mappings\.0\.export: @strangler\/data-engine\/example-mappings exports no ordersMapping/,
    ],
    [
      'an export that is not a mapping',
      () => write('orders.json', manifest({ data: { mappings: [{ module: '@strangler/data-engine/example-mappings', export: 'paymentsInvariants' }] } })),
      /data\.mappings\.0\.export: paymentsInvariants of @strangler\/data-engine\/example-mappings is not an EntityMapping/,
    ],
    ['a module that cannot be found', () => write('orders.json', manifest({ data: { mappings: [{ module: './lib/missing.js', export: 'x' }] } })), /data\.mappings\.0\.module: cannot load \.\/lib\/missing\.js/],
    [
      'an invariant naming a mapping the capability lacks',
      () => write('orders.json', manifest({ data: { mappings: [{ file: 'mappings/orders.json' }], invariants: [{ module: '@strangler/data-engine/example-mappings', export: 'paymentsInvariants' }] } })),
      /data\.invariants\.0: invariant refunds-add-up names mapping payments, which orders does not list/,
    ],
    ['a parent listed after its child', () => write('mappings/orders.json', { ...mapping, parents: [{ mapping: 'customers', key: ['id'] }] }), /data\.mappings\.0: orders's parent customers must be listed before it/],
    ['an unset database variable', () => write('orders.json', manifest({ databases: { monolith: { url: '${ORDERS_MONOLITH_DB}' }, service: { url: '${NOT_SET_ANYWHERE}' } } })), /capability orders: databases\.service\.url: .*NOT_SET_ANYWHERE/],
    ['a database URL of another kind', () => write('orders.json', manifest({ databases: { monolith: { url: '${ORDERS_MONOLITH_DB}' }, service: { url: 'postgres://x/y' } } })), /databases\.service\.url: must be a mysql:\/\/ URL or a SQLite file path/],
    ['a manifest that is not JSON', () => write('orders.json', '{'), /orders\.json: .*\(file\)/],
  ])('refuses %s with exit 1, naming file, capability and field, and changes nothing', async (_what, breakIt, message) => {
    breakIt();
    const before = await service('orders').count({ n: '*' });
    for (const argv of [['verify', 'orders'], ['backfill', 'orders', '--json']]) {
      const result = await data(argv);
      expect(result.code).toBe(1);
      expect(result.err).toMatch(message);
    }
    expect(await service('orders').count({ n: '*' })).toEqual(before);
  });
});

describe('the TypeScript escape hatch and the capability-wide rules', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'escape-hatch-'));
    mkdirSync(path.join(dir, 'lib'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const writeManifest = (name: string, data: unknown) =>
    writeFileSync(path.join(dir, `${name}.json`), JSON.stringify({ ...manifest(), name, databases: { monolith: { url: 'm.sqlite' }, service: { url: 's.sqlite' } }, data }));

  it('loads a mapping and an invariant from a module relative to the manifest, built with the engine’s public index', () => {
    writeFileSync(
      path.join(dir, 'lib', 'notes.js'),
      `const { defineMapping, tableSide, canon } = require('@strangler/data-engine');
       const side = tableSide({ table: 'notes', key: ['id'], columns: ['id', 'body'] });
       exports.notesMapping = defineMapping({ name: 'notes', key: ['id'], monolith: side, service: side,
         toService: (row) => ({ ...row }), toMonolith: (row) => ({ ...row }),
         canonicalService: (row) => ({ id: canon.text(row.id), body: canon.text(row.body) }) });
       exports.notesHaveBodies = { kind: 'row', name: 'notes-have-bodies', rule: 'a note has a body', mapping: 'notes', check: (row) => (row.body ? undefined : 'empty') };`,
    );
    writeManifest('notes', { mappings: [{ module: './lib/notes.js', export: 'notesMapping' }], invariants: [{ module: './lib/notes.js', export: 'notesHaveBodies' }] });
    const [notes] = loadCapabilities({ dir, env: {} });
    expect(notes?.mappings.map((m) => [m.name, m.conflictRule])).toEqual([['notes', 'quarantined for an operator']]);
    expect(notes?.invariants.map((i) => i.name)).toEqual(['notes-have-bodies']);
    expect(notes?.databases).toEqual({ monolith: 'm.sqlite', service: 's.sqlite' });
    rmSync(path.join(dir, 'notes.json'));
  });

  it('refuses a capability name the engine cannot name tables after, and a mapping listed twice', () => {
    mkdirSync(path.join(dir, 'mappings'), { recursive: true });
    writeFileSync(path.join(dir, 'mappings', 'orders.json'), JSON.stringify(mapping));
    writeManifest('order-lines', { mappings: [{ file: 'mappings/orders.json' }, { file: 'mappings/orders.json' }] });
    let thrown: unknown;
    try {
      loadCapabilities({ dir, env: {} });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CapabilityConfigError);
    const lines = (thrown as CapabilityConfigError).manifestProblems.map((p) => `${p.capability ?? ''} ${p.field}: ${p.message}`);
    expect(lines).toEqual([
      expect.stringMatching(/^order-lines name: a capability that moves data needs a name of letters, digits and _/),
      'order-lines data.mappings.1: mapping orders is listed twice',
    ]);
  });
});
