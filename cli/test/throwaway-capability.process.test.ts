import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import knex, { type Knex } from 'knex';
import { buildFlagsDocument } from '@strangler/cutover-model';
import { spawnDeployable, type DeployableProcess } from '@strangler/kit/testing';

jest.setTimeout(180_000);

/**
 * The proof of issue #16, run as a user runs the harness: a capability that exists only as files in a
 * temp directory — a manifest, a declarative mapping, two SQLite tables and a tiny upstream of its own —
 * is routed by the compiled edge through every stage, moved by the compiled `strangler` with its gates,
 * and backfilled, synced and verified by the compiled data engine. Nothing in the edge, the CLI or the
 * engine knows the word "inventory".
 */

const ROOT = path.resolve(__dirname, '../..');
const EDGE = path.join(ROOT, 'edge/dist/server.js');
const DATA = path.join(ROOT, 'data-engine/dist/cli/data.js');
const STRANGLER = path.join(ROOT, 'cli/bin/strangler.js');

const manifest = (serviceUrl: string, dbs: { monolith: string; service: string }) => ({
  name: 'inventory',
  flag: 'acme.inventory',
  service: { url: serviceUrl },
  routes: [
    { methods: ['GET', 'POST'], path: '/api/items' },
    { methods: 'GET', path: '/api/items/:sku' },
  ],
  shadow: { ignore: ['/servedBy'] },
  databases: { monolith: { url: dbs.monolith }, service: { url: dbs.service } },
  data: { mappings: [{ file: 'mappings/items.json' }] },
});

const itemsMapping = {
  name: 'items',
  describe: 'item {sku}',
  key: ['sku'],
  monolith: { table: 'stock_items' },
  service: { table: 'items' },
  columns: {
    sku: { type: 'text', monolith: 'item_code' },
    quantity: { type: 'integer', monolith: 'qty' },
    price_minor: { type: 'money', monolith: 'price', currency: 'currency' },
    currency: { type: 'currency' },
    status: { type: 'enum', values: ['active', 'retired'], monolithCase: 'upper' },
    updated_at: { type: 'timestamp' },
  },
};

interface Upstream {
  url: string;
  /** Requests it received: method, path, and whether the edge sent it as a shadow mirror. */
  seen: Array<{ method: string; path: string }>;
  close(): Promise<void>;
}

/** A stand-in for "your monolith" or "your service": answers every request with who it is. */
async function upstream(name: string): Promise<Upstream> {
  const seen: Upstream['seen'] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    seen.push({ method: req.method ?? '', path: req.url ?? '' });
    req.resume();
    req.on('end', () => {
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json', 'x-served-by': name });
      res.end(JSON.stringify({ items: [], servedBy: name }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

interface Run {
  code: number | null;
  out: string;
  err: string;
}

/** A compiled command line (`node <script> <argv>`) with this environment and PATH only. */
function run(script: string, argv: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...argv], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a capability declared by a manifest alone (issue #16)', () => {
  let dir: string;
  let monolithDb: Knex;
  let serviceDb: Knex;
  let monolith: Upstream;
  let service: Upstream;
  let edge: DeployableProcess;
  let sync: DeployableProcess;
  let env: Record<string, string>;
  let base: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'throwaway-capability-'));
    const manifests = path.join(dir, 'manifests');
    mkdirSync(path.join(manifests, 'mappings'), { recursive: true });
    const dbs = { monolith: path.join(dir, 'legacy.sqlite'), service: path.join(dir, 'inventory.sqlite') };
    const open = (file: string) => knex({ client: 'better-sqlite3', connection: { filename: file }, useNullAsDefault: true });
    monolithDb = open(dbs.monolith);
    serviceDb = open(dbs.service);
    await monolithDb.schema.createTable('stock_items', (t) => {
      t.string('item_code', 32).primary();
      t.integer('qty').notNullable();
      t.decimal('price', 12, 2).notNullable();
      t.string('currency', 3).notNullable();
      t.string('status', 16).notNullable();
      t.datetime('updated_at', { precision: 3 }).notNullable();
    });
    await serviceDb.schema.createTable('items', (t) => {
      t.string('sku', 32).primary();
      t.integer('quantity').notNullable();
      t.bigInteger('price_minor').notNullable();
      t.string('currency', 3).notNullable();
      t.string('status', 16).notNullable();
      t.datetime('updated_at', { precision: 3 }).notNullable();
    });
    const at = new Date('2030-01-02T03:04:05.678Z');
    await monolithDb('stock_items').insert([
      { item_code: 'SKU-1', qty: 3, price: '9.99', currency: 'EUR', status: 'ACTIVE', updated_at: at },
      { item_code: 'SKU-2', qty: 0, price: '120.00', currency: 'USD', status: 'RETIRED', updated_at: at },
    ]);

    monolith = await upstream('legacy');
    service = await upstream('inventory-service');
    writeFileSync(path.join(manifests, 'inventory.json'), JSON.stringify(manifest('${INVENTORY_SERVICE_URL}', { monolith: '${LEGACY_DB}', service: '${INVENTORY_DB}' }), null, 2));
    writeFileSync(path.join(manifests, 'mappings', 'items.json'), JSON.stringify(itemsMapping, null, 2));
    const routesFile = path.join(dir, 'routes.json');
    writeFileSync(routesFile, JSON.stringify({ monolith: { url: monolith.url } }));
    const flagsFile = path.join(dir, 'flags.json');
    writeFileSync(flagsFile, JSON.stringify(buildFlagsDocument([{ capability: 'inventory', flag: 'acme.inventory', enabled: false, stage: 'monolith', rollout: 0 }])));

    // Each part gets only what it uses: the data engine and the CLI's gates the databases, never the
    // service's URL; the edge the service's URL, never the databases (or their credentials).
    base = { MANIFESTS_DIR: manifests, LEGACY_DB: dbs.monolith, INVENTORY_DB: dbs.service, LOG_LEVEL: 'warn' };
    for (const argv of [['capture', 'install', 'inventory'], ['backfill', 'inventory']]) {
      const step = await run(DATA, argv, base);
      expect({ argv, code: step.code, err: step.err }).toEqual({ argv, code: 0, err: '' });
    }
    sync = spawnSync(base);
    const syncUrl = await sync.listening(30_000);

    edge = spawnDeployable(EDGE, {
      PORT: '0',
      HOST: '127.0.0.1',
      ROUTES_FILE: routesFile,
      ROUTES_BACKUP_FILE: path.join(dir, 'routes.last-good'),
      FLAGS_FILE: flagsFile,
      FLAGS_BACKUP_FILE: path.join(dir, 'flags.last-good'),
      MANIFESTS_DIR: manifests,
      INVENTORY_SERVICE_URL: service.url,
      LOG_LEVEL: 'info',
    });
    const edgeUrl = await edge.listening(30_000);
    env = { ...base, EDGE_URL: edgeUrl, FLAGS_FILE: flagsFile, SYNC_URLS: syncUrl, STRANGLER_MAX_SYNC_LAG_SECONDS: '30' };
  });

  afterAll(async () => {
    for (const child of [edge, sync]) {
      if (child && child.child.exitCode === null) {
        child.child.kill('SIGTERM');
        await child.exit;
      }
    }
    await monolith?.close();
    await service?.close();
    await monolithDb?.destroy();
    await serviceDb?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function servedBy(method: 'GET' | 'POST', url: string): Promise<string | null> {
    const response = await fetch(`${env.EDGE_URL}${url}`, { method, headers: { 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : undefined });
    await response.arrayBuffer();
    return response.headers.get('x-served-by');
  }

  async function strangler(...argv: string[]): Promise<Run> {
    return run(STRANGLER, argv, env);
  }

  it('is routed by its own flag through every stage, moved by strangler with its gates, and its data stays verified', async () => {
    // monolith: the capability exists, the edge routes nothing to its service.
    const status = await strangler('status');
    expect(status.code).toBe(0);
    expect(status.out).toMatch(/inventory/);
    expect(status.out).toMatch(/acme\.inventory/);
    expect(await servedBy('GET', '/api/items')).toBe('legacy');
    expect(await servedBy('POST', '/api/items')).toBe('legacy');
    expect(await servedBy('GET', '/api/orders')).toBe('legacy');

    // shadow: the monolith answers; the service sees the reads as mirrors, never the writes.
    const shadow = await strangler('flip', 'inventory', '--stage', 'shadow', '--percent', '100');
    expect({ code: shadow.code, err: shadow.err }).toEqual({ code: 0, err: '' });
    expect(shadow.out).toMatch(/ok\s+sync to-service/);
    const before = service.seen.length;
    expect(await servedBy('GET', '/api/items/SKU-1')).toBe('legacy');
    await waitFor('the read mirrored to the service', async () => service.seen.slice(before).some((r) => r.method === 'GET' && r.path === '/api/items/SKU-1'));
    expect(await servedBy('POST', '/api/items')).toBe('legacy');
    expect(service.seen.slice(before).some((r) => r.method === 'POST')).toBe(false);

    // reads: the service answers reads, the monolith keeps the writes; verify gated the growth.
    const reads = await strangler('flip', 'inventory', '--stage', 'reads', '--percent', '100');
    expect({ code: reads.code, err: reads.err }).toEqual({ code: 0, err: '' });
    expect(reads.out).toMatch(/ok\s+verify\s+both sides equal/);
    expect(await servedBy('GET', '/api/items')).toBe('inventory-service');
    expect(await servedBy('POST', '/api/items')).toBe('legacy');

    // live: writes move too, behind the write fence and both sync directions.
    const live = await strangler('flip', 'inventory', '--stage', 'live', '--percent', '100');
    expect({ code: live.code, err: live.err, out: live.code === 0 ? '' : live.out }).toEqual({ code: 0, err: '', out: '' });
    expect(live.out).toMatch(/ok\s+sync to-monolith/);
    expect(await servedBy('POST', '/api/items')).toBe('inventory-service');

    // complete: everyone on the service, and a write on the service reaches the monolith's table.
    const complete = await strangler('flip', 'inventory', '--stage', 'complete');
    expect({ code: complete.code, err: complete.err }).toEqual({ code: 0, err: '' });
    expect(await servedBy('GET', '/api/items/SKU-2')).toBe('inventory-service');
    await serviceDb('items').where({ sku: 'SKU-1' }).update({ quantity: 7, updated_at: new Date('2030-02-03T04:05:06.789Z') });
    await waitFor('the service write synced to the monolith', async () => (await monolithDb('stock_items').where({ item_code: 'SKU-1' }).first())?.qty === 7);

    // rollback: every request back on the monolith at once.
    const rollback = await strangler('rollback', 'inventory');
    expect({ code: rollback.code, err: rollback.err }).toEqual({ code: 0, err: '' });
    expect(await servedBy('GET', '/api/items')).toBe('legacy');
    expect(await servedBy('POST', '/api/items')).toBe('legacy');

    const after = await strangler('status', '--json');
    expect(after.code).toBe(0);
    expect(after.out).toMatch(/"stage":\s*"monolith"/);
    const verify = await run(DATA, ['verify', 'inventory', '--rechecks', '0'], base);
    expect({ code: verify.code, err: verify.err }).toEqual({ code: 0, err: '' });
    expect(await serviceDb('items').orderBy('sku').select('sku', 'quantity', 'price_minor', 'currency', 'status')).toEqual([
      { sku: 'SKU-1', quantity: 7, price_minor: 999, currency: 'EUR', status: 'active' },
      { sku: 'SKU-2', quantity: 0, price_minor: 12000, currency: 'USD', status: 'retired' },
    ]);
  });

  it('refuses a flip whose gate does not hold, and changes nothing', async () => {
    const reset = await strangler('rollback', 'inventory');
    expect(reset.code).toBe(0);
    // Its sync worker stops: nothing would carry the monolith's writes to the service.
    sync.child.kill('SIGTERM');
    await sync.exit;
    const refused = await strangler('flip', 'inventory', '--stage', 'reads', '--percent', '50');
    expect(refused.code).toBe(4);
    expect(refused.out).toMatch(/REFUSED, nothing was changed/);
    expect(refused.out).toMatch(/FAIL\s+sync to-service/);
    expect(await servedBy('GET', '/api/items')).toBe('legacy');
    expect((await strangler('status', '--json')).out).toMatch(/"stage":\s*"monolith"/);
  });
});

/** `data sync inventory` as its own process, as `npm start` runs one per capability. */
function spawnSync(base: Record<string, string>): DeployableProcess {
  const child = spawn(process.execPath, [DATA, 'sync', 'inventory', '--direction', 'both'], { env: { PATH: process.env.PATH ?? '', ...base, LOG_LEVEL: 'info', DATA_SYNC_PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exit,
    async listening(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const port = /sync listening on http:\/\/[^:/]+:(\d+)/.exec(output)?.[1];
        if (port !== undefined) return `http://127.0.0.1:${port}`;
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`data sync inventory is not listening; its output:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}
