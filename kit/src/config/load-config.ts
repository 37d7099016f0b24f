import { type z } from 'zod';
import { DEV_MODE_VARIABLE, holdsDevelopmentSecret } from './development-secrets';

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
 * strings count as unset so `FOO=` falls back to the default instead of failing obscurely. A value
 * holding one of the repository's development secrets is refused unless STRANGLER_DEV_MODE=true
 * (see development-secrets.ts): that rule holds for every process that reads its configuration here.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, env: Env = process.env): z.infer<S> {
  const input: Env = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') input[key] = value.trim();
  }
  const problems: string[] = [];
  const devMode = env[DEV_MODE_VARIABLE]?.trim() ?? '';
  if (!['', 'true', 'false', '1', '0'].includes(devMode)) problems.push(`${DEV_MODE_VARIABLE}=${JSON.stringify(devMode)}: must be true or false`);
  if (devMode !== 'true' && devMode !== '1') {
    for (const [variable, value] of Object.entries(input)) {
      if (value !== undefined && holdsDevelopmentSecret(value)) {
        problems.push(
          `${variable}: holds a development secret published in this repository; set a secret of your own (e.g. \`openssl rand -hex 32\`), or ${DEV_MODE_VARIABLE}=true on a development machine`,
        );
      }
    }
  }
  const result = schema.safeParse(input);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const variable = issue.path.join('.') || '(config)';
      const given = input[variable];
      problems.push(given === undefined ? `${variable}: ${issue.message}` : `${variable}=${JSON.stringify(redactIfSecret(variable, given))}: ${issue.message}`);
    }
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return result.data;
}

function redactIfSecret(variable: string, value: string): string {
  return /TOKEN|SECRET|PASSWORD|KEY/i.test(variable) ? '[redacted]' : value;
}
