/**
 * An Unleash flag as the client API (`GET /api/client/features`) and a saved flags file hold it, typed
 * by its structure only: unleash-client's own types (and the admin API's views) fit these, so the model
 * needs no Unleash dependency.
 */
export interface FlagPayload {
  type: string;
  value: string;
}

export interface FlagVariant {
  name: string;
  weight: number;
  stickiness?: string;
  payload?: FlagPayload;
  overrides?: Array<{ contextName: string; values: string[] }>;
}

export interface FlagConstraint {
  contextName: string;
  operator: string;
}

export interface FlagStrategy {
  name: string;
  parameters?: Record<string, unknown>;
  constraints?: FlagConstraint[];
  segments?: number[];
  variants?: FlagVariant[];
}

export interface FeatureDefinition {
  name: string;
  type?: string;
  project?: string;
  enabled: boolean;
  stale?: boolean;
  impressionData?: boolean;
  strategies?: FlagStrategy[];
  variants?: FlagVariant[];
  dependencies?: Array<{ feature: string; variants?: string[]; enabled?: boolean }>;
}

/** A saved Unleash `GET /api/client/features` response: what the local flags file holds. */
export interface FlagsDocument {
  version: number;
  features: FeatureDefinition[];
  segments?: Array<{ id: number; constraints: FlagConstraint[] }>;
}

/** The payload type of a stage variant (unleash-client's PayloadType.JSON). */
export const JSON_PAYLOAD = 'json';
