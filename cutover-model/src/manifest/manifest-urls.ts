import { interpolateEnv } from '../interpolate-env';
import type { CapabilityManifest } from './manifest-schema';

type Env = Readonly<Record<string, string | undefined>>;

export interface ManifestUrls {
  serviceUrl: string;
  databases: { monolith: string; service: string };
}

/** The manifest's strings that take `${VAR:-default}`, by field. */
export function interpolatedFields(manifest: CapabilityManifest): Array<{ field: string; raw: string }> {
  return [
    { field: 'service.url', raw: manifest.service.url },
    { field: 'databases.monolith.url', raw: manifest.databases.monolith.url },
    { field: 'databases.service.url', raw: manifest.databases.service.url },
  ];
}

/** Why each interpolated field cannot be resolved against `env` (a `${VAR}` unset, with no default). */
export function unresolvedFields(manifest: CapabilityManifest, env: Env): Array<{ field: string; message: string }> {
  return interpolatedFields(manifest).flatMap(({ field, raw }) => {
    const resolved = interpolateEnv(raw, env);
    return 'error' in resolved ? [{ field, message: resolved.error }] : [];
  });
}

/**
 * The service URL and database URLs with `${VAR:-default}` resolved against `env`. Throws when a
 * placeholder has no value: load with `loadManifests(dir, { env })` first to get that as a problem.
 */
export function resolveManifestUrls(manifest: CapabilityManifest, env: Env): ManifestUrls {
  const resolve = (field: string, raw: string): string => {
    const resolved = interpolateEnv(raw, env);
    if ('error' in resolved) throw new Error(`capability ${manifest.name}: ${field}: ${resolved.error}`);
    return resolved.value;
  };
  return {
    serviceUrl: resolve('service.url', manifest.service.url),
    databases: {
      monolith: resolve('databases.monolith.url', manifest.databases.monolith.url),
      service: resolve('databases.service.url', manifest.databases.service.url),
    },
  };
}
