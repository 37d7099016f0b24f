import { readFileSync } from 'node:fs';
import { CliError, usageError } from './cli-error';

export interface CapabilityRef {
  name: string;
  /** The capability's Unleash flag (the routes file may name another than `strangler.<name>`). */
  flag: string;
}

/**
 * The capabilities the edge routes, from its routes file: the one place that says which exist and
 * which flag each is moved by. Only names and flags are read; URLs are the edge's business.
 */
export function readCapabilities(routesFile: string): CapabilityRef[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(routesFile, 'utf8'));
  } catch (error) {
    throw new CliError(`cannot read the routes file ${routesFile} (ROUTES_FILE): ${(error as Error).message}`);
  }
  const capabilities = (json as { capabilities?: Record<string, { flag?: unknown }> } | null)?.capabilities;
  if (!capabilities || typeof capabilities !== 'object') throw new CliError(`the routes file ${routesFile} has no "capabilities"`);
  return Object.entries(capabilities).map(([name, spec]) => ({ name, flag: typeof spec?.flag === 'string' ? spec.flag : `strangler.${name}` }));
}

export function findCapability(capabilities: readonly CapabilityRef[], name: string | undefined): CapabilityRef {
  const known = capabilities.map((c) => c.name).join(', ');
  if (!name) throw usageError(`a capability is required: ${known}`);
  const found = capabilities.find((c) => c.name === name);
  if (!found) throw usageError(`unknown capability "${name}": the routes file knows ${known}`);
  return found;
}
