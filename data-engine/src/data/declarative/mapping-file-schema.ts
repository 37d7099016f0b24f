import { z } from 'zod';

/**
 * The declarative mapping file (docs/decisions/0045-declarative-mappings.md): one entity, one table
 * on each side, every column typed. Strict: an unknown key is an error, so a typo never silently
 * drops a column. Cross-field rules (a key names a declared column, a money column's currency
 * exists, …) are checked by check-mapping-file.ts after this shape.
 */

/** A mapping's name: the changelog, checkpoints and quarantine use it. */
export const MAPPING_NAME = /^[a-z][a-z0-9_]{0,62}$/;
/** A table or column name as written in SQL, unquoted. */
const SQL_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

const sqlName = (what: string) => z.string().regex(SQL_NAME, `must be a ${what} name (letters, digits and _, not starting with a digit)`);
const fieldName = () => z.string().regex(SQL_NAME, 'must be a field name (letters, digits and _, not starting with a digit)');

const columnCommon = {
  /** The column's name on the monolith (default: the field's name). */
  monolith: sqlName('column').optional(),
  /** The column's name on the service (default: the field's name). */
  service: sqlName('column').optional(),
  /** May be NULL (default false: a NULL is refused by name). */
  nullable: z.boolean().optional(),
  /** How refusals name the column (default: the field's name). */
  label: z.string().min(1).max(60).optional(),
};

const textColumn = z.strictObject({ type: z.literal('text'), ...columnCommon });
const integerColumn = z.strictObject({ type: z.literal('integer'), ...columnCommon });
const timestampColumn = z.strictObject({ type: z.literal('timestamp'), ...columnCommon });
const currencyColumn = z.strictObject({ type: z.literal('currency'), ...columnCommon });
const jsonColumn = z.strictObject({ type: z.literal('json'), ...columnCommon });

const enumColumn = z.strictObject({
  type: z.literal('enum'),
  ...columnCommon,
  /** The values as the service stores them (the same on the monolith unless monolithCase says), or
   * a map from each monolith value to its service value (one to one). */
  values: z.union([
    z.array(z.string().min(1)).min(1, 'must list at least one value'),
    z.record(z.string().min(1), z.string().min(1)).refine((map) => Object.keys(map).length > 0, 'must map at least one value'),
  ]),
  /** The monolith stores the listed values upper- or lower-cased. */
  monolithCase: z.enum(['upper', 'lower']).optional(),
});

const moneyColumn = z.strictObject({
  type: z.literal('money'),
  ...columnCommon,
  /** The field (a `currency` column) or lookup holding the currency that gives the minor digits. */
  currency: fieldName(),
  /** Refuse zero and negative amounts. */
  positive: z.boolean().optional(),
  /** Refuse an amount below 0 or above this other money field's (same currency). */
  max: fieldName().optional(),
});

export const columnSchema = z.discriminatedUnion(
  'type',
  [textColumn, integerColumn, timestampColumn, currencyColumn, jsonColumn, enumColumn, moneyColumn],
  { error: 'must have a type: text, integer, timestamp, currency, json, enum or money' },
);

const lookupSchema = z.strictObject({
  /** The table the value is read from (read-only, joined). */
  table: sqlName('table'),
  column: sqlName('column'),
  /** { "<this table's column>": "<that table's column>" }: exactly one pair. */
  on: z.record(sqlName('column'), sqlName('column')).refine((on) => Object.keys(on).length === 1, 'must name exactly one column pair'),
});

const sideSchema = z.strictObject({
  table: sqlName('table'),
  /** Read-only values joined from another table of the same side (a refund's payment's currency). */
  lookups: z.record(fieldName(), lookupSchema).optional(),
});

const parentSchema = z.strictObject({
  /** The parent mapping, listed before this one in the manifest. */
  mapping: z.string().regex(MAPPING_NAME, 'must be a mapping name'),
  /** This entity's fields holding the parent's key, in the parent's key order. */
  key: z.array(fieldName()).min(1),
});

const conflictsSchema = z.strictObject({
  /** A delete on either side wins over a change on the other. */
  deleteWins: z.boolean().optional(),
  /** The entity only changes by being revoked: the revoked version wins (this nullable timestamp field). */
  revocationWins: fieldName().optional(),
  /** What a conflict on this entity means, for the operator's report. */
  meaning: z.string().min(1).optional(),
});

export const mappingFileSchema = z.strictObject({
  $comment: z.string().optional(),
  name: z.string().regex(MAPPING_NAME, 'must be lower-case letters, digits and _, starting with a letter (at most 63)'),
  /** How refusals name a row: fields in braces, e.g. "payment {id}" (default: "<name> {key…}"). */
  describe: z.string().min(1).optional(),
  /** The entity's key: fields, in order. */
  key: z.array(fieldName()).min(1, 'must name at least one field'),
  monolith: sideSchema,
  service: sideSchema,
  /** Every column, by field name (the name the canonical form and the service use by default). */
  columns: z.record(fieldName(), columnSchema).refine((columns) => Object.keys(columns).length > 0, 'must declare at least one column'),
  parents: z.array(parentSchema).optional(),
  /** Default: every conflict is quarantined for an operator. */
  conflicts: conflictsSchema.optional(),
});

export type MappingFile = z.infer<typeof mappingFileSchema>;
export type ColumnSpec = z.infer<typeof columnSchema>;
export type SideSpec = z.infer<typeof sideSchema>;
