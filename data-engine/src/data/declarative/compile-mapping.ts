import type { Currency } from '@strangler/kit';
import { canon, type CanonicalRow, type CanonicalValue } from '../canonical';
import { deleteWins, quarantineConflict, revocationWins } from '../conflict-resolvers';
import { defineMapping, type ConflictResolver, type EntityMapping, type EntitySide, type ParentLink } from '../mapping';
import { currencyOf } from '../money-columns';
import { tableSide } from '../table-side';
import { sourceOf, targetOf, type Direction, type Row, type SideName } from '../types';
import { columnOn, templateFields } from './check-mapping-file';
import { valueCodec, type ValueCodec } from './column-codecs';
import type { ColumnSpec, MappingFile } from './mapping-file-schema';
import { checkAmounts, readAmount, writeAmount, type Amount, type MoneySpec } from './money-fields';

interface Field {
  name: string;
  spec: ColumnSpec;
  label: string;
  /** Undefined for money (money-fields.ts carries it). */
  codec: ValueCodec | undefined;
  /** The column it is stored in on each side (columnOn, worked out once). */
  column: Readonly<Record<SideName, string>>;
}

/**
 * A checked mapping file (checkMappingFile found nothing) as the engine's EntityMapping, through
 * defineMapping like every TypeScript mapping: the canonical form is the service's row by field
 * name, and a monolith row is compared through toService.
 */
export function compileMapping(file: MappingFile): EntityMapping {
  const fields: Field[] = Object.entries(file.columns).map(([name, spec]) => ({
    name,
    spec,
    label: spec.label ?? name,
    codec: spec.type === 'money' ? undefined : valueCodec(spec),
    column: { monolith: columnOn(name, spec, 'monolith'), service: columnOn(name, spec, 'service') },
  }));
  const money = fields.filter((field): field is Field & { spec: MoneySpec } => field.spec.type === 'money').map((field) => [field.name, field.spec] as [string, MoneySpec]);
  const sharedLookups = Object.keys(file.monolith.lookups ?? {}).filter((name) => name in (file.service.lookups ?? {}));
  const describe = describer(file, fields);

  const carry = (direction: Direction) => (row: Row): Row => {
    const from = sourceOf(direction);
    const to = targetOf(direction);
    const what = describe(row, from);
    const out: Row = {};
    for (const name of sharedLookups) out[name] = row[name] ?? null;
    const currencyFor = currencies(file, row, from, what);
    const amounts = new Map<string, Amount>();
    for (const field of fields) {
      const value = row[field.column[from]];
      const target = field.column[to];
      if (value === null || value === undefined) {
        if (!field.spec.nullable) throw new RangeError(`${what} has no ${field.label} (NULL in a column that is not nullable)`);
        out[target] = null;
      } else if (field.spec.type === 'money') {
        const amount = readAmount(value, from, currencyFor(field.spec.currency), what, field.column[from]);
        amounts.set(field.name, amount);
        out[target] = writeAmount(amount, to);
      } else {
        out[target] = (field.codec as ValueCodec).carry(value, direction, { what, label: field.label });
      }
    }
    checkAmounts(what, money, amounts);
    return out;
  };

  return defineMapping<Row, Row>({
    name: file.name,
    key: file.key,
    monolith: sideOf(file, 'monolith'),
    service: sideOf(file, 'service'),
    toService: carry('to-service'),
    toMonolith: carry('to-monolith'),
    canonicalService: (row) => canonicalOf(fields, row),
    conflicts: conflictsOf(file),
    parents: parentsOf(file),
  });
}

function canonicalOf(fields: readonly Field[], row: Row): CanonicalRow {
  const canonical: Record<string, CanonicalValue> = {};
  for (const field of fields) {
    const value = row[field.column.service];
    if ((value === null || value === undefined) && field.spec.nullable) canonical[field.name] = null;
    else canonical[field.name] = field.codec ? field.codec.canonical(value) : canon.bigint(value);
  }
  return canonical;
}

/** The row's currencies, read once each: from a currency column or a lookup. */
function currencies(file: MappingFile, row: Row, side: SideName, what: string): (name: string) => Currency {
  const found = new Map<string, Currency>();
  return (name) => {
    let currency = found.get(name);
    if (currency) return currency;
    const spec = file.columns[name];
    currency = currencyOf(row[spec ? columnOn(name, spec, side) : name], what, spec?.label ?? name);
    found.set(name, currency);
    return currency;
  };
}

/** "payment {id}" with the row's values, read from the side the row came from. */
function describer(file: MappingFile, fields: readonly Field[]): (row: Row, side: SideName) => string {
  const template = file.describe ?? `${file.name} ${file.key.map((key) => `{${key}}`).join(' ')}`;
  const names = templateFields(template).map((name) => {
    const field = fields.find((candidate) => candidate.name === name);
    return { marker: `{${name}}`, column: { monolith: field?.column.monolith ?? name, service: field?.column.service ?? name } };
  });
  return (row, side) =>
    names.reduce((text, { marker, column }) => {
      const value = row[column[side]];
      return text.replaceAll(marker, value === null || value === undefined ? '?' : String(value as string));
    }, template);
}

function sideOf(file: MappingFile, side: SideName): EntitySide {
  const spec = file[side];
  const lookups = Object.entries(spec.lookups ?? {});
  return tableSide({
    table: spec.table,
    key: file.key.map((field) => columnOn(field, file.columns[field] as ColumnSpec, side)),
    columns: Object.entries(file.columns).map(([field, column]) => columnOn(field, column, side)),
    joins: lookups.map(([name, lookup]) => {
      const [here, there] = Object.entries(lookup.on)[0] as [string, string];
      return { table: lookup.table, on: [`${lookup.table}.${there}`, `${spec.table}.${here}`] as [string, string], select: { [name]: `${lookup.table}.${lookup.column}` } };
    }),
    alsoRequired: lookups.map(([, lookup]) => ({ table: lookup.table, columns: [lookup.column, ...Object.values(lookup.on)] })),
  });
}

function conflictsOf(file: MappingFile): { rule: string; resolve: ConflictResolver; meaning?: string } {
  const { deleteWins: deletes = false, revocationWins: revoked, meaning } = file.conflicts ?? {};
  const otherwise = revoked === undefined ? quarantineConflict : revocationWins(revoked);
  const rule = deletes
    ? revoked === undefined
      ? 'a delete wins, else quarantined'
      : 'a delete or a revocation wins'
    : revoked === undefined
      ? 'quarantined for an operator'
      : 'a revocation wins, else quarantined';
  return { rule, resolve: deletes ? deleteWins(otherwise) : otherwise, ...(meaning === undefined ? {} : { meaning }) };
}

function parentsOf(file: MappingFile): ParentLink[] {
  return (file.parents ?? []).map((parent) => ({ mapping: parent.mapping, keyOf: (row) => parent.key.map((field) => String(row[field])) }));
}
