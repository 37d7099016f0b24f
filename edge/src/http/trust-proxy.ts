import express from 'express';

/** TRUST_PROXY in express's own syntax: true/false, a hop count, or a list of names/addresses/CIDRs. */
export function trustProxySetting(value: string): boolean | number | string {
  const trimmed = value.trim();
  if (trimmed === 'true' || trimmed === 'false') return trimmed === 'true';
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  return trimmed;
}

/** Why express would refuse the setting (it compiles address lists eagerly), or undefined. */
export function trustProxyProblem(value: string): string | undefined {
  try {
    express().set('trust proxy', trustProxySetting(value));
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
