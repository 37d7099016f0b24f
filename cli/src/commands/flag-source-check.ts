import path from 'node:path';
import { CliError, usageError } from '../cli-error';
import type { FlagStore } from '../flags/flag-store';
import { EdgeClient } from '../sources/edge-client';
import type { HttpOptions } from '../sources/http-json';

export interface FlagSourceCheckDeps {
  edgeUrls: readonly string[];
  adminToken: string | undefined;
  http: HttpOptions;
  /** Where the CLI writes: the flags file's path, or the Unleash server's base URL. */
  writesTo: { kind: FlagStore['kind']; location: string };
  /** The capability about to be moved and the flag this CLI's manifest names: an edge that routes it by another flag is a mismatch too. */
  capability?: { name: string; flag: string };
}

/** `http://unleash:4242/api/` and `http://unleash:4242` name one server. */
const unleashBase = (url: string) => url.replace(/\/+$/, '').replace(/\/api$/, '');

/**
 * Refuses (exit 2, nothing written) when an edge routes by flags from somewhere else than where this
 * CLI would write them (issue #13 §7: a shell without UNLEASH_URL "rolled back" the flags file while
 * the edge, reading Unleash, went on routing shadow 50 %), or routes the capability by another flag
 * than this CLI's manifest names (another MANIFESTS_DIR: a rollback would write a flag no edge reads,
 * and could report "already monolith"). An edge that cannot be reached is not
 * judged here: the switch or the confirmation that follows names it.
 */
export async function requireEdgesReadWhereWeWrite(deps: FlagSourceCheckDeps): Promise<void> {
  const ours = deps.writesTo.kind === 'unleash' ? { kind: 'unleash', where: unleashBase(deps.writesTo.location) } : { kind: 'local-file', where: path.resolve(deps.writesTo.location) };
  const mismatches: string[] = [];
  const otherFlags: string[] = [];
  await Promise.all(
    deps.edgeUrls.map(async (url) => {
      let flags;
      try {
        const seen = await new EdgeClient(url, deps.adminToken, deps.http).capabilities();
        flags = seen.flags;
        const routed = deps.capability && seen.capabilities.find((c) => c.capability === deps.capability?.name);
        if (routed && deps.capability && routed.flag !== deps.capability.flag) {
          otherFlags.push(`the edge ${url} routes ${routed.capability} by ${routed.flag}, not ${deps.capability.flag} (the flag this shell's MANIFESTS_DIR names)`);
        }
      } catch (error) {
        if (error instanceof CliError) return;
        throw error;
      }
      const theirs = flags.kind === 'unleash' ? unleashBase(flags.where) : path.resolve(flags.where);
      if (flags.kind !== ours.kind || theirs !== ours.where) mismatches.push(`the edge ${url} reads ${flags.kind === 'unleash' ? `Unleash ${theirs}` : `the flags file ${theirs}`}`);
    }),
  );
  if (mismatches.length > 0) {
    const here = ours.kind === 'unleash' ? `Unleash ${ours.where} (UNLEASH_URL)` : `the flags file ${ours.where} (FLAGS_FILE; UNLEASH_URL is not set)`;
    throw usageError(`${mismatches.join('; ')}, but this shell would write ${here}: nothing was written. Point UNLEASH_URL/UNLEASH_ADMIN_TOKEN or FLAGS_FILE where the edges read.`);
  }
  if (otherFlags.length > 0) {
    const stop = deps.capability ? ` (to send ${deps.capability.name} to the monolith now: strangler emergency stop ${deps.capability.name} --reason "<why>")` : '';
    throw usageError(`${otherFlags.join('; ')}: nothing was written. Point MANIFESTS_DIR at the manifests the edges read${stop}.`);
  }
}

