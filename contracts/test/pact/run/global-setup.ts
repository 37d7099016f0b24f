import { mkdirSync, rmSync } from 'node:fs';
import { PACT_DIR, RESULTS_DIR, VERIFICATIONS_DIR } from '../support/pact-files';

/**
 * Pact files merge rather than overwrite, and last run's verdicts must not count: start clean. Runs in
 * the process the in-band tests run in, so the environment set here is theirs too.
 */
export default async function globalSetup(): Promise<void> {
  process.env.PACT_DO_NOT_TRACK ??= 'true';
  rmSync(PACT_DIR, { recursive: true, force: true });
  rmSync(RESULTS_DIR, { recursive: true, force: true });
  mkdirSync(PACT_DIR, { recursive: true });
  mkdirSync(VERIFICATIONS_DIR, { recursive: true });
}
