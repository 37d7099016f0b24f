import { type z } from 'zod';

/** Thrown when the environment does not satisfy a deployable's config schema. The message names
 * every offending variable so an operator can fix them all in one go. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/**
 * Reads and validates configuration once. Keys of the schema are environment variable names; empty
 * strings count as unset so `FOO=` falls back to the default instead of failing obscurely.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, env: Env = process.env): z.infer<S> {
  const input: Env = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') input[key] = value.trim();
  }
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const variable = issue.path.join('.') || '(config)';
        const given = input[variable];
        return given === undefined
          ? `${variable}: ${issue.message}`
          : `${variable}=${JSON.stringify(redactIfSecret(variable, given))}: ${issue.message}`;
      }),
    );
  }
  return result.data;
}

function redactIfSecret(variable: string, value: string): string {
  return /TOKEN|SECRET|PASSWORD|KEY/i.test(variable) ? '[redacted]' : value;
}
