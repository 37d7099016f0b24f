import path from 'node:path';

/** The repository's `manifests/` directory, found from this package's own place (src/ or dist/). */
export function defaultManifestsDir(): string {
  return path.resolve(__dirname, '..', '..', '..', 'manifests');
}
