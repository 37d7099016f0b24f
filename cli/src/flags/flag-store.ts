import { CliError } from '../cli-error';
import { EXIT } from '../exit-codes';
import type { CapabilityRef } from '../capabilities';
import type { DesiredFlag, FlagState } from './flag-state';

/** Where capability flags live: a real Unleash server (Admin API) or the edge's local flags file. */
export interface FlagStore {
  readonly kind: 'unleash' | 'flags-file';
  /** For messages: the server and environment, or the file. */
  readonly where: string;
  read(capability: CapabilityRef): Promise<FlagState>;
  /**
   * Writes the desired stage and percentage so the edge sees at most one intermediate state, never a
   * wrong one, and bumps the flag's generation. With `expected`, writes only if the flag, read again
   * just before, is still exactly that (compare-and-set, decision 0019); otherwise throws FlagMovedError
   * and changes nothing. Returns what was written.
   */
  write(capability: CapabilityRef, desired: DesiredFlag, expected?: FlagState): Promise<FlagState>;
}

/** A compare-and-set flip found the flag changed since its gates judged it: nothing was written. */
export class FlagMovedError extends CliError {
  constructor(message: string) {
    super(`${message}: nothing was changed; read \`strangler status\` and run it again if it still makes sense`, EXIT.refused);
  }
}
