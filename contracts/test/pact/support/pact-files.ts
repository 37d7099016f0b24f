import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const CONTRACTS_DIR = path.resolve(__dirname, '../../..');

/** Where consumer tests write pact files (cleared before every contracts run; gitignored). */
export const PACT_DIR = path.join(CONTRACTS_DIR, 'pacts');

/** Where each verification leaves its record and the matrix is written (gitignored). */
export const RESULTS_DIR = path.join(CONTRACTS_DIR, 'results');
export const VERIFICATIONS_DIR = path.join(RESULTS_DIR, 'verifications');

/** A pact file as the verification needs it. */
export interface PactFile {
  file: string;
  consumer: string;
  provider: string;
  /** Every provider state its interactions name: the provider must implement all of them. */
  states: string[];
  interactions: number;
}

interface PactJson {
  consumer: { name: string };
  provider: { name: string };
  interactions: Array<{ providerStates?: Array<{ name: string }>; providerState?: string }>;
}

export function readPactFile(file: string): PactFile {
  const pact = JSON.parse(readFileSync(file, 'utf8')) as PactJson;
  const states = new Set<string>();
  for (const interaction of pact.interactions) {
    for (const state of interaction.providerStates ?? []) states.add(state.name);
    if (interaction.providerState) states.add(interaction.providerState);
  }
  return {
    file,
    consumer: pact.consumer.name,
    provider: pact.provider.name,
    states: [...states].sort(),
    interactions: pact.interactions.length,
  };
}

/** The pact files the consumer tests of this run wrote, in a stable order. */
export function readPacts(dir = PACT_DIR): PactFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => readPactFile(path.join(dir, name)));
}
