import { existsSync } from 'node:fs';

/** The browser the docs page is checked in: Debian's `chromium` (CHROMIUM_PATH overrides). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Whether browser tests run: with the browser installed, yes; without it they are skipped, except
 * under CI=true, where a missing browser is a failure (.ci/run installs it).
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env.CI === 'true') throw new Error(`CI=true but no Chromium at ${CHROMIUM_PATH}: apt-get install -y chromium (see .ci/run)`);
  process.stderr.write(`\n[strangler] no Chromium at ${CHROMIUM_PATH}: the docs page browser test is skipped (CI=true makes this a failure).\n`);
  return false;
}
