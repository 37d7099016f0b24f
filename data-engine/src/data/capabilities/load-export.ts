import { createRequire } from 'node:module';
import path from 'node:path';
import type { Invariant } from '../invariants/invariant';
import type { EntityMapping } from '../mapping';

/** A manifest's module reference that cannot be used: the field (`module` or `export`) and why. */
export class ModuleExportError extends Error {
  constructor(
    readonly field: 'module' | 'export',
    message: string,
  ) {
    super(message);
    this.name = 'ModuleExportError';
  }
}

const isRelative = (specifier: string): boolean => specifier.startsWith('./') || specifier.startsWith('../') || path.isAbsolute(specifier);

/**
 * Loads a module the way the engine itself is loaded, so a mapping module shares the engine's
 * classes (and, under Jest, its sources). A relative specifier resolves from the manifest's
 * directory; a package name as the engine resolves it, else from the manifest's directory.
 */
function requireModule(specifier: string, fromDir: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a manifest names its modules at run time
  const load = (id: string): unknown => require(id);
  if (isRelative(specifier)) return load(path.resolve(fromDir, specifier));
  try {
    return load(specifier);
  } catch (error) {
    if ((error as { code?: string }).code !== 'MODULE_NOT_FOUND') throw error;
    return load(createRequire(path.join(fromDir, 'manifest.json')).resolve(specifier));
  }
}

const MAPPING_FUNCTIONS = ['toService', 'toMonolith', 'canonical', 'resolveConflict'] as const;
const SIDE_FUNCTIONS = ['readRange', 'readKeys', 'readWhereIn', 'keyOf', 'write', 'remove', 'count'] as const;

/** Why a value is not an EntityMapping (undefined: it is one). */
function notAMapping(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return `is ${value === null ? 'null' : typeof value}`;
  const mapping = value as Record<string, unknown>;
  if (typeof mapping.name !== 'string') return 'has no name';
  if (!Array.isArray(mapping.key) || mapping.key.length === 0) return 'has no key';
  for (const fn of MAPPING_FUNCTIONS) if (typeof mapping[fn] !== 'function') return `has no ${fn}()`;
  if (!Array.isArray(mapping.parents)) return 'has no parents list';
  for (const side of ['monolith', 'service'] as const) {
    const entitySide = mapping[side] as Record<string, unknown> | undefined;
    if (!entitySide || typeof entitySide !== 'object') return `has no ${side} side`;
    for (const fn of SIDE_FUNCTIONS) if (typeof entitySide[fn] !== 'function') return `has a ${side} side without ${fn}()`;
    if (!Array.isArray(entitySide.captured) || !Array.isArray(entitySide.required)) return `has a ${side} side without captured/required tables`;
  }
  return undefined;
}

/** Why a value is not an Invariant (undefined: it is one). */
function notAnInvariant(value: unknown): string | undefined {
  const invariant = value as Record<string, unknown> | null;
  if (!invariant || typeof invariant !== 'object') return 'is not an object';
  if (!['row', 'side', 'across'].includes(String(invariant.kind))) return 'has no kind (row, side or across)';
  if (typeof invariant.name !== 'string' || typeof invariant.rule !== 'string') return 'has no name or rule';
  if (typeof invariant.check !== 'function') return 'has no check()';
  if (invariant.kind !== 'side' && typeof invariant.mapping !== 'string') return 'names no mapping';
  return undefined;
}

export function loadExport(specifier: string, name: string, fromDir: string, kind: 'mapping'): EntityMapping;
export function loadExport(specifier: string, name: string, fromDir: string, kind: 'invariants'): Invariant[];
/** The named export of a manifest's module, checked to be a mapping or invariant(s). */
export function loadExport(specifier: string, name: string, fromDir: string, kind: 'mapping' | 'invariants'): EntityMapping | Invariant[] {
  let loaded: unknown;
  try {
    loaded = requireModule(specifier, fromDir);
  } catch (error) {
    throw new ModuleExportError('module', `cannot load ${specifier}: ${(error as Error).message.split('\n')[0] ?? ''}`);
  }
  const value = (loaded as Record<string, unknown> | null)?.[name];
  if (value === undefined) throw new ModuleExportError('export', `${specifier} exports no ${name}`);
  if (kind === 'mapping') {
    const why = notAMapping(value);
    if (why) throw new ModuleExportError('export', `${name} of ${specifier} is not an EntityMapping (build it with defineMapping from @strangler/data-engine): it ${why}`);
    return value as EntityMapping;
  }
  const invariants: unknown[] = Array.isArray(value) ? value : [value];
  for (const [i, invariant] of invariants.entries()) {
    const why = notAnInvariant(invariant);
    if (why) throw new ModuleExportError('export', `${name}${Array.isArray(value) ? `[${i}]` : ''} of ${specifier} is not an Invariant: it ${why}`);
  }
  return invariants as Invariant[];
}
