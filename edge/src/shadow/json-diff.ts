import { childPointer } from './json-pointer';

export interface JsonDiffLimits {
  /** Stop after this many differences: a wholly different body needs no 10 000-line report. */
  maxDifferences: number;
  /** Below this depth a difference is reported at the deepest pointer reached. */
  maxDepth: number;
}

export const DEFAULT_DIFF_LIMITS: JsonDiffLimits = { maxDifferences: 200, maxDepth: 32 };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function kindOf(value: unknown): 'null' | 'array' | 'object' | 'scalar' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : 'scalar';
}

/**
 * The JSON pointers at which two parsed JSON documents differ, in document order. Objects are
 * compared key by key (a key on one side only differs at its own pointer), arrays index by index (an
 * extra element differs at its index), anything else by value and type. Key order never matters.
 */
export function diffJson(left: unknown, right: unknown, limits: JsonDiffLimits = DEFAULT_DIFF_LIMITS): string[] {
  const differences: string[] = [];
  const visit = (a: unknown, b: unknown, pointer: string, depth: number): void => {
    if (differences.length >= limits.maxDifferences) return;
    const kind = kindOf(a);
    if (kind !== kindOf(b)) {
      differences.push(pointer);
      return;
    }
    if (kind === 'scalar' || kind === 'null') {
      if (a !== b) differences.push(pointer);
      return;
    }
    if (depth >= limits.maxDepth) {
      if (JSON.stringify(a) !== JSON.stringify(b)) differences.push(pointer);
      return;
    }
    if (kind === 'array') {
      const x = a as Json[];
      const y = b as Json[];
      for (let i = 0; i < Math.max(x.length, y.length); i++) {
        if (i >= x.length || i >= y.length) differences.push(childPointer(pointer, i));
        else visit(x[i], y[i], childPointer(pointer, i), depth + 1);
        if (differences.length >= limits.maxDifferences) return;
      }
      return;
    }
    const x = a as Record<string, Json>;
    const y = b as Record<string, Json>;
    const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
    for (const key of keys) {
      const inX = Object.prototype.hasOwnProperty.call(x, key);
      const inY = Object.prototype.hasOwnProperty.call(y, key);
      if (!inX || !inY) differences.push(childPointer(pointer, key));
      else visit(x[key], y[key], childPointer(pointer, key), depth + 1);
      if (differences.length >= limits.maxDifferences) return;
    }
  };
  visit(left, right, '', 0);
  return differences.slice(0, limits.maxDifferences);
}

/** The value at a pointer, or undefined when the path does not exist. */
export function valueAt(document: unknown, pointer: string): unknown {
  if (pointer === '') return document;
  let current: unknown = document;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (current === null || typeof current !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}
