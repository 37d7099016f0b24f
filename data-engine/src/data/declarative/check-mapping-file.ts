import type { SideName } from '../types';
import type { ColumnSpec, MappingFile } from './mapping-file-schema';

/** One thing wrong with a mapping file: the field (a dotted path into the file) and why. */
export interface MappingFileProblem {
  field: string;
  message: string;
}

const SIDES: readonly SideName[] = ['monolith', 'service'];

/** The column a field is stored in on a side. */
export const columnOn = (field: string, spec: ColumnSpec, side: SideName): string => spec[side] ?? field;

/** The fields a `describe` template names ("payment {id}" → ["id"]). */
export const templateFields = (template: string): string[] => [...template.matchAll(/\{([^{}]*)\}/g)].map((match) => match[1] ?? '');

/**
 * The rules across fields that the schema's shape cannot say. Every problem is reported (not only
 * the first), each naming its field.
 */
export function checkMappingFile(file: MappingFile): MappingFileProblem[] {
  const problems: MappingFileProblem[] = [];
  const problem = (field: string, message: string) => problems.push({ field, message });
  const columns = new Map(Object.entries(file.columns));
  const lookupNames = (side: SideName) => Object.keys(file[side].lookups ?? {});
  const sharedLookups = lookupNames('monolith').filter((name) => lookupNames('service').includes(name));

  file.key.forEach((field, i) => {
    const spec = columns.get(field);
    if (!spec) problem(`key.${i}`, `names ${JSON.stringify(field)}, which is not a declared column`);
    else if (spec.nullable) problem(`key.${i}`, `names ${JSON.stringify(field)}, which is nullable: a key part is never NULL`);
  });
  if (new Set(file.key).size !== file.key.length) problem('key', 'names a field twice');

  for (const side of SIDES) {
    const seen = new Map<string, string>();
    for (const [field, spec] of columns) {
      const column = columnOn(field, spec, side);
      const other = seen.get(column);
      if (other) problem(`columns.${field}.${side}`, `stores ${field} in ${side} column ${column}, which ${other} already uses`);
      seen.set(column, field);
    }
    const lookupTables = new Set<string>();
    for (const [name, lookup] of Object.entries(file[side].lookups ?? {})) {
      if (lookupTables.has(lookup.table)) problem(`${side}.lookups.${name}.table`, `is ${lookup.table} again: one lookup per table`);
      lookupTables.add(lookup.table);
      if (seen.has(name)) problem(`${side}.lookups.${name}`, `is also the ${side} column of ${seen.get(name) ?? ''}: a lookup needs a name of its own`);
      if (columns.has(name)) problem(`${side}.lookups.${name}`, `is also a declared column's field name`);
      if (lookup.table === file[side].table) problem(`${side}.lookups.${name}.table`, `is the ${side}'s own table: a lookup reads another table`);
    }
  }

  for (const [field, spec] of columns) {
    if (spec.type === 'money') checkMoney(field, spec, columns, sharedLookups, problem);
    if (spec.type === 'enum') checkEnum(field, spec, problem);
  }

  if (file.describe !== undefined) {
    for (const name of templateFields(file.describe)) {
      if (!columns.has(name) && !sharedLookups.includes(name)) problem('describe', `names {${name}}, which is not a declared column or a lookup of both sides`);
    }
  }

  (file.parents ?? []).forEach((parent, i) => {
    if (parent.mapping === file.name) problem(`parents.${i}.mapping`, 'names this mapping itself');
    parent.key.forEach((field, j) => {
      const spec = columns.get(field);
      if (!spec) problem(`parents.${i}.key.${j}`, `names ${JSON.stringify(field)}, which is not a declared column`);
      else if (spec.nullable) problem(`parents.${i}.key.${j}`, `names ${JSON.stringify(field)}, which is nullable: a parent link needs a value in every row`);
    });
  });

  const revocation = file.conflicts?.revocationWins;
  if (revocation !== undefined) {
    const spec = columns.get(revocation);
    if (!spec || spec.type !== 'timestamp' || !spec.nullable) {
      problem('conflicts.revocationWins', `names ${JSON.stringify(revocation)}, which is not a nullable timestamp column`);
    }
  }
  return problems;
}

type Problem = (field: string, message: string) => void;

function checkMoney(field: string, spec: Extract<ColumnSpec, { type: 'money' }>, columns: Map<string, ColumnSpec>, sharedLookups: readonly string[], problem: Problem): void {
  const currency = columns.get(spec.currency);
  if (currency && currency.type !== 'currency') problem(`columns.${field}.currency`, `names ${spec.currency}, a ${currency.type} column: it must be a currency column`);
  if (!currency && !sharedLookups.includes(spec.currency)) {
    problem(`columns.${field}.currency`, `names ${JSON.stringify(spec.currency)}, which is neither a currency column nor a lookup of both sides`);
  }
  if (currency?.nullable) problem(`columns.${field}.currency`, `names ${spec.currency}, which is nullable: an amount needs its currency`);
  if (spec.max === undefined) return;
  const max = columns.get(spec.max);
  if (!max || max.type !== 'money') problem(`columns.${field}.max`, `names ${JSON.stringify(spec.max)}, which is not a money column`);
  else if (max.currency !== spec.currency) problem(`columns.${field}.max`, `names ${spec.max}, whose currency is ${max.currency}, not ${spec.currency}`);
  else if (spec.max === field) problem(`columns.${field}.max`, 'names the column itself');
}

function checkEnum(field: string, spec: Extract<ColumnSpec, { type: 'enum' }>, problem: Problem): void {
  if (Array.isArray(spec.values)) {
    if (new Set(spec.values).size !== spec.values.length) problem(`columns.${field}.values`, 'lists a value twice');
    if (spec.monolithCase) {
      const cased = spec.values.map((value) => (spec.monolithCase === 'upper' ? value.toUpperCase() : value.toLowerCase()));
      if (new Set(cased).size !== cased.length) problem(`columns.${field}.monolithCase`, `makes two values the same on the monolith`);
    }
    return;
  }
  if (spec.monolithCase) problem(`columns.${field}.monolithCase`, 'is for a list of values; a map already says each monolith value');
  const targets = Object.values(spec.values);
  if (new Set(targets).size !== targets.length) problem(`columns.${field}.values`, 'maps two monolith values to one service value: the way back would be a guess');
}
