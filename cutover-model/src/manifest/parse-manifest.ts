import { capabilityManifestSchema, type CapabilityManifest } from './manifest-schema';
import { fieldOf, type ManifestProblem } from './manifest-problem';

export type ManifestParse = { ok: true; manifest: CapabilityManifest } | { ok: false; problems: ManifestProblem[] };

/** The capability a problem is about: the manifest's own name when it states one, else undefined. */
function statedName(json: unknown): string | undefined {
  const name = (json as { name?: unknown } | null)?.name;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/** One manifest's text, validated on its own; every problem reported at once, naming `file`, the capability and the field. */
export function parseManifest(text: string, file: string): ManifestParse {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [{ file, field: '(file)', message: `not valid JSON: ${(error as Error).message}` }] };
  }
  const parsed = capabilityManifestSchema.safeParse(json);
  if (parsed.success) return { ok: true, manifest: parsed.data };
  const capability = statedName(json);
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => ({ file, ...(capability !== undefined ? { capability } : {}), field: fieldOf(issue.path), message: issue.message })),
  };
}
