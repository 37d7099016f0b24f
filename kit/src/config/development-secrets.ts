/**
 * Secrets this repository has shipped for development (docker-compose's former defaults, the MySQL
 * init script's password). Anyone can read them here, so a deployable refuses to start with one
 * unless it is explicitly in development mode (`STRANGLER_DEV_MODE=true`, which `npm start` sets and
 * docker-compose never does): docs/decisions/0017-forwarded-headers-and-bucketing.md.
 */
export const DEV_MODE_VARIABLE = 'STRANGLER_DEV_MODE';

/** Every development secret the repository ships starts with this; new ones must too. */
const DEVELOPMENT_SECRET_MARKER = 'strangler-dev-';

/** Development passwords shipped before the marker existed, as they appear in database URLs. */
const SHIPPED_PASSWORDS = new Set(['strangler', 'root-dev-only', 'unleash-dev-only']);

/** Whether a configuration value holds a development secret of this repository's. */
export function holdsDevelopmentSecret(value: string): boolean {
  if (value.includes(DEVELOPMENT_SECRET_MARKER)) return true;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || !URL.canParse(value)) return false;
  return SHIPPED_PASSWORDS.has(decodeURIComponent(new URL(value).password));
}
