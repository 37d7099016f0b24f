import { ConfigError } from '@strangler/kit';
import express from 'express';

/** TRUST_PROXY in express's own syntax: true/false, a hop count, or a list of names/addresses/CIDRs. */
export function trustProxySetting(value: string): boolean | number | string {
  const trimmed = value.trim();
  if (trimmed === 'true' || trimmed === 'false') return trimmed === 'true';
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  // express compiles the list eagerly and throws on a bad address: fail at boot, naming the variable.
  try {
    express().set('trust proxy', trimmed);
  } catch (error) {
    throw new ConfigError([`TRUST_PROXY=${JSON.stringify(trimmed)}: ${(error as Error).message}`]);
  }
  return trimmed;
}
