import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import knex, { type Knex } from 'knex';
import { canonicalText } from '../src/data/canonical';
import { compileMapping } from '../src/data/declarative/compile-mapping';
import { loadMappingFile, MappingFileError, parseMappingFile } from '../src/data/declarative/load-mapping-file';
import type { EntityMapping } from '../src/data/mapping';

const t0 = new Date('2031-01-01T00:00:00.000Z');

/** A valid file to vary: one table per side, every column type. */
function file(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'orders',
    describe: 'order {id}',
    key: ['id'],
    monolith: { table: 'legacy_orders' },
    service: { table: 'orders' },
    columns: {
      id: { type: 'text' },
      total_minor: { type: 'money', monolith: 'total', currency: 'currency', positive: true, label: 'total' },
      paid_minor: { type: 'money', monolith: 'paid', currency: 'currency', max: 'total_minor', label: 'paid' },
      currency: { type: 'currency', monolith: 'currency_code' },
      state: { type: 'enum', values: ['open', 'paid'], monolithCase: 'upper' },
      channel: { type: 'enum', values: { W: 'web', S: 'shop' } },
      lines: { type: 'integer' },
      meta: { type: 'json', nullable: true },
      note: { type: 'text', nullable: true, monolith: 'remark' },
      placed_at: { type: 'timestamp' },
      closed_at: { type: 'timestamp', nullable: true },
    },
    ...overrides,
  };
}

function compiled(overrides: Record<string, unknown> = {}): EntityMapping {
  const parsed = parseMappingFile(JSON.stringify(file(overrides)));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return compileMapping(parsed.file);
}

function problemsOf(value: unknown): Array<{ field: string; message: string }> {
  const parsed = parseMappingFile(typeof value === 'string' ? value : JSON.stringify(value));
  return parsed.ok ? [] : parsed.problems;
}

const monolithRow = {
  id: 'o-1',
  total: '19.99',
  paid: 5, // SQLite hands DECIMALs back as numbers
  currency_code: 'USD',
  state: 'OPEN',
  channel: 'W',
  lines: '3',
  meta: '{"b":1,"a":[true,null]}',
  remark: null,
  placed_at: t0.getTime(),
  closed_at: null,
};

describe('declarative mapping compiler: each feature', () => {
  const mapping = compiled();

  it('renames columns, converts every type, and comes back to the same row', () => {
    const service = mapping.toService(monolithRow);
    expect(service).toEqual({
      id: 'o-1',
      total_minor: '1999',
      paid_minor: '500',
      currency: 'USD',
      state: 'open',
      channel: 'web',
      lines: 3,
      meta: '{"b":1,"a":[true,null]}',
      note: null,
      placed_at: t0,
      closed_at: null,
    });
    expect(mapping.toMonolith(service)).toEqual({ ...monolithRow, total: '19.99', paid: '5.00', lines: 3, placed_at: t0 });
    expect(mapping.canonical('monolith', monolithRow)).toEqual({
      id: 'o-1',
      total_minor: '1999',
      paid_minor: '500',
      currency: 'USD',
      state: 'open',
      channel: 'web',
      lines: 3,
      meta: '{"a":[true,null],"b":1}',
      note: null,
      placed_at: t0.getTime(),
      closed_at: null,
    });
    expect(canonicalText(mapping.canonical('service', service))).toBe(canonicalText(mapping.canonical('monolith', monolithRow)));
  });

  it('keeps the key, renamed on each side', () => {
    const renamed = compiled({ describe: 'note {note_id}', key: ['note_id'], columns: { note_id: { type: 'text', monolith: 'legacy_id' }, body: { type: 'text' } } });
    expect(renamed.key).toEqual(['note_id']);
    expect(renamed.monolith.keyOf({ legacy_id: 'n-7', body: 'x' })).toEqual(['n-7']);
    expect(renamed.service.keyOf({ note_id: 'n-7', body: 'x' })).toEqual(['n-7']);
    expect(renamed.monolith.captured).toEqual([{ table: 'legacy_orders', keyColumns: ['legacy_id'] }]);
    expect(renamed.service.required).toEqual([{ table: 'orders', columns: ['note_id', 'body'] }]);
  });

  it('money: exact both ways, never rounded; the currency gives the digits; positive and max are checked both ways', () => {
    expect(() => mapping.toService({ ...monolithRow, total: 10.005 })).toThrow(/^order o-1 has total 10.005 that USD cannot hold exactly/);
    expect(mapping.toService({ ...monolithRow, currency_code: 'JPY', total: '1000', paid: 0 })).toMatchObject({ total_minor: '1000', paid_minor: '0' });
    expect(() => mapping.toService({ ...monolithRow, currency_code: 'JPY', total: '1000.5' })).toThrow(/more than 0 decimals for JPY/);
    expect(mapping.toService({ ...monolithRow, currency_code: 'KWD', total: '1.234', paid: '0.001' })).toMatchObject({ total_minor: '1234', paid_minor: '1' });
    expect(() => mapping.toService({ ...monolithRow, total: '0.00', paid: 0 })).toThrow(/^order o-1 has total 0.00 USD: it must be positive$/);
    expect(() => mapping.toService({ ...monolithRow, paid: '20.00' })).toThrow(/^order o-1 has paid 20.00 USD outside 0 … total 19.99 USD$/);
    const service = mapping.toService(monolithRow);
    expect(() => mapping.toMonolith({ ...service, paid_minor: '-1' })).toThrow(/has paid -0.01 USD outside 0 … total/);
    expect(() => mapping.toMonolith({ ...service, total_minor: 19.5 })).toThrow(/has total_minor 19.5, not a whole number of USD minor units/);
    expect(() => mapping.toService({ ...monolithRow, currency_code: 'XXX' })).toThrow(/^order o-1 has unsupported currency "XXX"$/);
  });

  it('enums: a case rule or a value map, and an unknown value is refused by name either way', () => {
    expect(() => mapping.toService({ ...monolithRow, state: 'open' })).toThrow(/^order o-1 has unknown monolith state "open"$/);
    expect(() => mapping.toMonolith({ ...mapping.toService(monolithRow), channel: 'phone' })).toThrow(/has unknown service channel "phone"/);
    expect(mapping.toMonolith({ ...mapping.toService(monolithRow), channel: 'shop' })).toMatchObject({ channel: 'S' });
    // Compared as the service stores it: an unknown value there is a difference, not an unreadable row.
    expect(mapping.canonical('service', { ...mapping.toService(monolithRow), state: 'weird' })).toMatchObject({ state: 'weird' });
  });

  it('JSON: text is carried unchanged, a parsed document as JSON; key order does not make a difference; not-JSON is refused', () => {
    expect(mapping.toService({ ...monolithRow, meta: { z: 1, a: 2 } })).toMatchObject({ meta: '{"z":1,"a":2}' });
    expect(mapping.canonical('monolith', { ...monolithRow, meta: '{"a":[true,null],"b":1}' })).toEqual(mapping.canonical('monolith', monolithRow));
    expect(() => mapping.toService({ ...monolithRow, meta: '{oops' })).toThrow(/^order o-1 has meta that is not JSON/);
  });

  it('timestamps: Date, epoch ms or text in, a Date out, epoch ms compared; nonsense refused', () => {
    expect(mapping.toService({ ...monolithRow, placed_at: '2031-01-01 00:00:00.000' })).toMatchObject({ placed_at: t0 });
    expect(mapping.toService({ ...monolithRow, closed_at: t0 })).toMatchObject({ closed_at: t0 });
    expect(() => mapping.toService({ ...monolithRow, placed_at: 'yesterday' })).toThrow(/^order o-1 has an invalid timestamp yesterday in placed_at$/);
  });

  it('nullable columns carry NULL; a NULL elsewhere is refused by name; integers are never fractions', () => {
    expect(mapping.toService({ ...monolithRow, remark: 'hi' })).toMatchObject({ note: 'hi' });
    expect(() => mapping.toService({ ...monolithRow, state: null })).toThrow(/^order o-1 has no state \(NULL in a column that is not nullable\)$/);
    expect(() => mapping.toService({ ...monolithRow, lines: '2.5' })).toThrow(/^order o-1 has a non-integer lines 2.5$/);
  });

  it('parents: the link reads the parent key from the canonical row', () => {
    const child = compiled({ parents: [{ mapping: 'customers', key: ['note'] }], columns: { ...(file().columns as object), note: { type: 'text' } } });
    expect(child.parents.map((parent) => [parent.mapping, parent.keyOf({ note: 'c-1' })])).toEqual([['customers', ['c-1']]]);
  });

  it('conflicts: the engine’s resolvers, each with its label', () => {
    const a = mapping.canonical('monolith', monolithRow);
    const b = { ...a, closed_at: t0.getTime() };
    const rules = {
      quarantine: compiled(),
      deletes: compiled({ conflicts: { deleteWins: true } }),
      revocation: compiled({ conflicts: { revocationWins: 'closed_at', meaning: 'closed twice' } }),
      both: compiled({ conflicts: { deleteWins: true, revocationWins: 'closed_at' } }),
    };
    expect(Object.values(rules).map((m) => m.conflictRule)).toEqual([
      'quarantined for an operator',
      'a delete wins, else quarantined',
      'a revocation wins, else quarantined',
      'a delete or a revocation wins',
    ]);
    expect(rules.quarantine.resolveConflict(a, null)).toBe('quarantine');
    expect(rules.deletes.resolveConflict(a, null)).toBe('b');
    expect(rules.deletes.resolveConflict(a, b)).toBe('quarantine');
    expect([rules.revocation.resolveConflict(a, b), rules.revocation.resolveConflict(b, a)]).toEqual(['b', 'a']);
    expect(rules.revocation.resolveConflict(null, b)).toBe('quarantine');
    expect(rules.both.resolveConflict(null, b)).toBe('a');
    expect(rules.revocation.conflictMeaning).toBe('closed twice');
    expect(rules.quarantine.conflictMeaning).toBe('both sides changed this order since they last agreed');
  });

  it('describes a row by its key when the file says nothing', () => {
    const plain = compiled({ describe: undefined });
    expect(() => plain.toService({ ...monolithRow, state: 'nope' })).toThrow(/^orders o-1 has unknown monolith state/);
  });
});

describe('declarative mapping compiler: lookups read through a join', () => {
  let db: Knex;
  beforeAll(async () => {
    db = knex({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });
    await db.schema.createTable('bills', (t) => {
      t.string('id').primary();
      t.string('currency');
    });
    await db.schema.createTable('credits', (t) => {
      t.string('id').primary();
      t.string('bill_id');
      t.decimal('amount', 15, 3);
    });
    await db('bills').insert([{ id: 'b-1', currency: 'KWD' }]);
    await db('credits').insert([{ id: 'c-1', bill_id: 'b-1', amount: '1.234' }, { id: 'c-2', bill_id: 'b-0', amount: '1' }]);
  });
  afterAll(() => db.destroy());

  it("a credit's currency is its bill's: read on each side, carried through, never written", async () => {
    const lookups = { currency: { table: 'bills', column: 'currency', on: { bill_id: 'id' } } };
    const mapping = compiled({
      name: 'credits',
      describe: 'credit {id}',
      monolith: { table: 'credits', lookups },
      service: { table: 'credits', lookups },
      columns: { id: { type: 'text' }, bill_id: { type: 'text' }, amount_minor: { type: 'money', monolith: 'amount', currency: 'currency' } },
      parents: [{ mapping: 'bills', key: ['bill_id'] }],
    });
    const [c1, c2] = await mapping.monolith.readRange(db, {});
    expect(c1).toEqual({ id: 'c-1', bill_id: 'b-1', amount: 1.234, currency: 'KWD' });
    expect(mapping.toService(c1!)).toEqual({ id: 'c-1', bill_id: 'b-1', amount_minor: '1234', currency: 'KWD' });
    expect(() => mapping.toService(c2!)).toThrow(/^credit c-2 has unsupported currency null$/);
    expect(mapping.monolith.required).toEqual([
      { table: 'credits', columns: ['id', 'bill_id', 'amount'] },
      { table: 'bills', columns: ['currency', 'id'] },
    ]);
  });
});

describe('declarative mapping files: every bad input is named by file and field', () => {
  const cases: Array<[string, unknown, string, RegExp]> = [
    ['not JSON', '{"name": ', '(file)', /is not JSON/],
    ['an unknown key', file({ colums: {} }), '(file)', /colums/],
    ['an unknown column option', file({ columns: { id: { type: 'text', nulable: true } } }), 'columns.id', /nulable/],
    ['an unknown type', file({ columns: { id: { type: 'uuid' } } }), 'columns.id.type', /text, integer, timestamp, currency, json, enum or money/],
    ['a bad name', file({ name: 'Orders!' }), 'name', /lower-case letters/],
    ['no columns', file({ columns: {} }), 'columns', /at least one column/],
    ['a key naming no column', file({ key: ['uuid'] }), 'key.0', /"uuid", which is not a declared column/],
    ['a nullable key', file({ key: ['note'] }), 'key.0', /nullable/],
    ['two fields in one column', file({ columns: { id: { type: 'text' }, id2: { type: 'text', service: 'id' } } }), 'columns.id2.service', /which id already uses/],
    ['money without a currency column', file({ columns: { id: { type: 'text' }, m: { type: 'money', currency: 'cur' } } }), 'columns.m.currency', /neither a currency column nor a lookup/],
    ['money whose currency is text', file({ columns: { id: { type: 'text' }, cur: { type: 'text' }, m: { type: 'money', currency: 'cur' } } }), 'columns.m.currency', /must be a currency column/],
    ['money bounded by a non-money column', file({ columns: { ...(file().columns as object), paid_minor: { type: 'money', currency: 'currency', max: 'lines' } } }), 'columns.paid_minor.max', /not a money column/],
    ['an enum map that is not one to one', file({ columns: { id: { type: 'text' }, s: { type: 'enum', values: { A: 'x', B: 'x' } } } }), 'columns.s.values', /one to one|the way back would be a guess/],
    ['a case rule on a map', file({ columns: { id: { type: 'text' }, s: { type: 'enum', values: { A: 'x' }, monolithCase: 'upper' } } }), 'columns.s.monolithCase', /a map already says/],
    ['an empty enum', file({ columns: { id: { type: 'text' }, s: { type: 'enum', values: [] } } }), 'columns.s.values', /at least one value/],
    ['a describe naming no field', file({ describe: 'order {uuid}' }), 'describe', /\{uuid\}/],
    ['a parent key naming no column', file({ parents: [{ mapping: 'customers', key: ['customer'] }] }), 'parents.0.key.0', /not a declared column/],
    ['a nullable parent key', file({ parents: [{ mapping: 'customers', key: ['note'] }] }), 'parents.0.key.0', /nullable/],
    ['revocation on a non-timestamp', file({ conflicts: { revocationWins: 'note' } }), 'conflicts.revocationWins', /not a nullable timestamp column/],
    ['a lookup of its own table', file({ monolith: { table: 'legacy_orders', lookups: { c: { table: 'legacy_orders', column: 'x', on: { a: 'b' } } } } }), 'monolith.lookups.c.table', /own table/],
    ['a lookup joining on two pairs', file({ service: { table: 'orders', lookups: { c: { table: 't', column: 'x', on: { a: 'b', c: 'd' } } } } }), 'service.lookups.c.on', /exactly one column pair/],
    ['an unsafe table name', file({ service: { table: 'orders; drop table x' } }), 'service.table', /table name/],
  ];

  it.each(cases)('%s', (_what, input, field, message) => {
    const problems = problemsOf(input);
    expect(problems).toEqual(expect.arrayContaining([{ field, message: expect.stringMatching(message) as unknown as string }]));
  });

  it('lists every problem of a file at once, as "file: field: message" lines', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mapping-file-'));
    try {
      const bad = path.join(dir, 'orders.json');
      writeFileSync(bad, JSON.stringify(file({ key: ['uuid'], describe: 'order {nope}' })));
      let thrown: unknown;
      try {
        loadMappingFile(bad, 'mappings/orders.json');
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(MappingFileError);
      expect((thrown as Error).message.split('\n')).toEqual([
        'mappings/orders.json: key.0: names "uuid", which is not a declared column',
        'mappings/orders.json: describe: names {nope}, which is not a declared column or a lookup of both sides',
      ]);
      expect(() => loadMappingFile(path.join(dir, 'missing.json'), 'mappings/missing.json')).toThrow(/^mappings\/missing.json: \(file\): cannot be read/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
