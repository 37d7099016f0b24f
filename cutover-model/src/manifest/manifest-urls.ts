import { interpolateEnv } from '../interpolate-env';
import type { CapabilityManifest } from './manifest-schema';

type Env = Readonly<Record<string, string | undefined>>;

export interface ManifestUrls {
  serviceUrl: string;
  databases: { monolith: string; service: string };
}

/** The manifest's fields that take `${VAR:-default}`. */
export const INTERPOLATED_FIELDS = ['service.url', 'databases.monolith.url', 'databases.service.url'] as const;
export type InterpolatedField = (typeof INTERPOLATED_FIELDS)[number];

/** The manifest's strings that take `${VAR:-default}`, by field. */
export function interpolatedFields(manifest: CapabilityManifest): Array<{ field: InterpolatedField; raw: string }> {
  return [
    { field: 'service.url', raw: manifest.service.url },
    { field: 'databases.monolith.url', raw: manifest.databases.monolith.url },
    { field: 'databases.service.url', raw: manifest.databases.service.url },
  ];
}

/**
 * Why each of `fields` cannot be resolved against `env` (a `${VAR}` unset, with no default). A reader
 * names only the fields it uses: the edge never needs the database URLs (and their credentials) in
 * its environment, nor the data engine the service's URL.
 */
export function unresolvedFields(manifest: CapabilityManifest, env: Env, fields: readonly InterpolatedField[] = INTERPOLATED_FIELDS): Array<{ field: string; message: string }> {
  return interpolatedFields(manifest).filter(({ field }) => fields.includes(field)).flatMap(({ field, raw }) => {
    const resolved = interpolateEnv(raw, env);
    return 'error' in resolved ? [{ field, message: resolved.error }] : [];
  });
}

function resolveField(manifest: CapabilityManifest, field: InterpolatedField, raw: string, env: Env): string {
  const resolved = interpolateEnv(raw, env);
  if ('error' in resolved) throw new Error(`capability ${manifest.name}: ${field}: ${resolved.error}`);
  return resolved.value;
}

/**
 * The database URLs with `${VAR:-default}` resolved against `env` (what the data engine needs). Throws
 * when a placeholder has no value: load with `loadManifests(dir, { env, fields })` first to get that as a problem.
 */
export function resolveDatabaseUrls(manifest: CapabilityManifest, env: Env): ManifestUrls['databases'] {
  return {
    monolith: resolveField(manifest, 'databases.monolith.url', manifest.databases.monolith.url, env),
    service: resolveField(manifest, 'databases.service.url', manifest.databases.service.url, env),
  };
}

/** The service URL and database URLs resolved against `env`; throws like resolveDatabaseUrls. */
export function resolveManifestUrls(manifest: CapabilityManifest, env: Env): ManifestUrls {
  return { serviceUrl: resolveField(manifest, 'service.url', manifest.service.url, env), databases: resolveDatabaseUrls(manifest, env) };
}
