import type { CapabilityRef } from '../capabilities';
import type { DesiredFlag, FlagState } from './flag-state';

/** Where capability flags live: a real Unleash server (Admin API) or the edge's local flags file. */
export interface FlagStore {
  readonly kind: 'unleash' | 'flags-file';
  /** For messages: the server and environment, or the file. */
  readonly where: string;
  read(capability: CapabilityRef): Promise<FlagState>;
  /** Writes the desired stage and percentage so the edge sees at most one intermediate state, never a wrong one. */
  write(capability: CapabilityRef, desired: DesiredFlag): Promise<void>;
}
