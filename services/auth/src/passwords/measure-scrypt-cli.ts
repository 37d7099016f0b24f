#!/usr/bin/env node
import { performance } from 'node:perf_hooks';
import { hashWithScrypt } from './scrypt-hash';
import { CURRENT_SCRYPT_PARAMS, formatScryptParams, parseScryptParams, scryptMemoryBytes } from './scrypt-params';

/**
 * Measures one scrypt hash on this machine, to re-tune the policy on production hardware:
 *   node services/auth/dist/passwords/measure-scrypt-cli.js [N=65536,r=8,p=2 ...]
 */
async function main(): Promise<void> {
  const candidates = process.argv.length > 2 ? process.argv.slice(2).map(parseScryptParams) : [CURRENT_SCRYPT_PARAMS];
  const runs = 10;
  for (const params of candidates) {
    await hashWithScrypt('warm-up', params);
    const started = performance.now();
    for (let i = 0; i < runs; i++) await hashWithScrypt('correct horse battery staple', params);
    const perHash = (performance.now() - started) / runs;
    const mib = (scryptMemoryBytes(params) / 1024 / 1024).toFixed(1);
    process.stdout.write(`${formatScryptParams(params)}  ${mib} MiB  ${perHash.toFixed(1)} ms per hash (mean of ${runs})\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
