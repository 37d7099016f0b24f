/** Something wrong with a manifest, said where: the file, the capability (when known) and the field. */
export interface ManifestProblem {
  file: string;
  capability?: string;
  /** A dotted path into the manifest (`routes.2.path`), or `(file)` for the file as a whole. */
  field: string;
  message: string;
}

/** `manifests/payments.json: capability payments: routes.2.path: must start with /` */
export function formatManifestProblem(problem: ManifestProblem): string {
  const capability = problem.capability !== undefined ? ` capability ${problem.capability}:` : '';
  return `${problem.file}:${capability} ${problem.field}: ${problem.message}`;
}

export const fieldOf = (path: ReadonlyArray<PropertyKey>): string => path.map(String).join('.') || '(file)';
