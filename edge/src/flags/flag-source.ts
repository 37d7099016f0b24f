import type { Context, Variant } from 'unleash-client';
import type { EmergencyStop } from '../emergency/emergency-stops';
import type { FeatureDefinition } from '@strangler/cutover-model';

/** The part of an unleash-client `Unleash` instance the edge evaluates flags with. */
export interface FlagClient {
  getVariant(name: string, context: Context, fallbackVariant: Variant): Variant & { feature_enabled?: boolean };
  getFeatureToggleDefinition(name: string): FeatureDefinition | undefined;
  getFeatureToggleDefinitions(): FeatureDefinition[];
}

export type FlagSourceKind = 'unleash' | 'local-file';

export interface FlagSourceStatus {
  kind: FlagSourceKind;
  /** Flags have been loaded at least once (from the server, its backup, or the file). */
  ready: boolean;
  /** Last successful refresh (Unleash: a fetch answered; file: a good version applied), epoch ms. */
  lastSuccessAt: number | undefined;
  errors: number;
  lastError: string | undefined;
  where: string;
  /** The flags in use came from this last good copy: the file has not loaded since the edge started. */
  fromBackup?: string;
  /**
   * Unleash: no poll has succeeded for longer than the bound (UNLEASH_STALE_AFTER_MS), or none since
   * start (flags from the backup directory): this edge routes by flags a flip may have changed since.
   */
  stale?: boolean;
  /** Seconds since the last successful refresh, or since start when there was none. */
  ageSeconds?: number;
  /** Capabilities an operator sent to the monolith on this edge, whatever their flags say. */
  emergencyStops?: EmergencyStop[];
}

/** Reports flag-source events to metrics. */
export interface FlagSourceObserver {
  refreshed(kind: FlagSourceKind): void;
  failed(kind: FlagSourceKind, severity: 'error' | 'warn'): void;
}

export interface FlagSource {
  readonly kind: FlagSourceKind;
  /** The client to evaluate with, or undefined until flags were loaded (then the monolith serves). */
  client(): FlagClient | undefined;
  status(): FlagSourceStatus;
  /**
   * Changes (synchronously, before any evaluation can see them) whenever the definitions the client
   * evaluates may have changed: what an evaluation cache keys on. Optional; without it nothing is cached.
   */
  revision?(): number;
  /** Resolves true once ready, false if not within `timeoutMs`. */
  whenReady(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** The variant asked for when nothing better is known: not enabled, so the monolith serves. */
export const MONOLITH_FALLBACK: Variant = Object.freeze({ name: 'monolith-fallback', enabled: false });
