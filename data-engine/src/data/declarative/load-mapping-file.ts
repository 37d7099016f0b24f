import { readFileSync } from 'node:fs';
import type { EntityMapping } from '../mapping';
import { checkMappingFile, type MappingFileProblem } from './check-mapping-file';
import { compileMapping } from './compile-mapping';
import { mappingFileSchema, type MappingFile } from './mapping-file-schema';

/** A mapping file that cannot be used: every problem, each naming the file and field. */
export class MappingFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly MappingFileProblem[],
  ) {
    super(problems.map((problem) => `${file}: ${problem.field}: ${problem.message}`).join('\n'));
    this.name = 'MappingFileError';
  }
}

export type MappingFileParse = { ok: true; file: MappingFile } | { ok: false; problems: MappingFileProblem[] };

/** The text of a mapping file, checked: its shape (strict) and the rules across its fields. */
export function parseMappingFile(text: string): MappingFileParse {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [{ field: '(file)', message: `is not JSON: ${(error as Error).message}` }] };
  }
  const parsed = mappingFileSchema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((issue) => ({ field: issue.path.length ? issue.path.join('.') : '(file)', message: issue.message })) };
  }
  const problems = checkMappingFile(parsed.data);
  return problems.length ? { ok: false, problems } : { ok: true, file: parsed.data };
}

/** Reads, checks and compiles a declarative mapping file; throws MappingFileError naming file and field. */
export function loadMappingFile(path: string, label: string = path): EntityMapping {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new MappingFileError(label, [{ field: '(file)', message: `cannot be read: ${(error as Error).message}` }]);
  }
  const parsed = parseMappingFile(text);
  if (!parsed.ok) throw new MappingFileError(label, parsed.problems);
  return compileMapping(parsed.file);
}
