import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readPacts, type PactFile } from './pact-files';
import type { Implementation } from './provider-under-test';

interface ServingTable {
  [provider: string]: { servedBy: Implementation[]; publishedBy: Implementation };
}

/** run/provider-implementations.json: shared with the matrix reporter, which gates on it. */
function servingTable(): ServingTable {
  const table = JSON.parse(readFileSync(path.join(__dirname, '../run/provider-implementations.json'), 'utf8')) as Record<string, unknown>;
  delete table.$comment;
  return table as unknown as ServingTable;
}

/** The pacts of this run whose provider `implementation` serves. */
export function pactsServedBy(implementation: Implementation): PactFile[] {
  const table = servingTable();
  return readPacts().filter((pact) => table[pact.provider]?.servedBy.includes(implementation));
}

/** Whether `implementation`'s verification of `provider` is the one a Pact Broker records. */
export function publishesResultsFor(implementation: Implementation, provider: string): boolean {
  return servingTable()[provider]?.publishedBy === implementation;
}
