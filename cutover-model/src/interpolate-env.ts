const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Resolves `${VAR}` and `${VAR:-default}` (docker-compose syntax) in a routes or manifest string. An unset or
 * empty variable takes the default; one without a default is an error naming it, never an empty URL.
 */
export function interpolateEnv(value: string, env: Readonly<Record<string, string | undefined>>): { value: string } | { error: string } {
  const missing: string[] = [];
  const result = value.replace(PLACEHOLDER, (_match, name: string, fallback: string | undefined) => {
    const given = env[name];
    if (given !== undefined && given !== '') return given;
    if (fallback !== undefined) return fallback;
    missing.push(name);
    return '';
  });
  if (missing.length > 0) return { error: `${missing.map((name) => `\${${name}}`).join(', ')} is not set and has no default` };
  return { value: result };
}
