import { CliError } from '../cli-error';
import { EdgeClient, type EdgeCapabilities, type EdgeFence } from '../sources/edge-client';
import type { HttpOptions } from '../sources/http-json';

/** One capability as another edge of EDGE_URLS routes and fences it. */
export interface FleetCapability {
  capability: string;
  stage: string;
  percentage: number;
  fence?: { raised: boolean; holders: string[]; inFlightWrites: number; inDoubtWrites: number };
}

/** Another edge of EDGE_URLS than EDGE_URL, as `strangler status` sees it (red team: status looked at EDGE_URL only). */
export interface FleetEdge {
  url: string;
  reachable: boolean;
  error?: string;
  flags?: EdgeCapabilities['flags'];
  capabilities: FleetCapability[];
}

/**
 * The edges of EDGE_URLS besides EDGE_URL: what each routes each capability by and whether it holds a
 * fence. A flip fences and confirms on every edge; an edge that did not confirm keeps its fence and
 * its old stage, and status must show it.
 */
export async function readOtherEdges(urls: readonly string[], primary: string, adminToken: string | undefined, http: HttpOptions, capability: string | undefined): Promise<FleetEdge[]> {
  const others = [...new Set(urls)].filter((url) => url !== primary);
  return Promise.all(
    others.map(async (url): Promise<FleetEdge> => {
      const edge = new EdgeClient(url, adminToken, http);
      try {
        const [caps, fences] = await Promise.all([edge.capabilities(), edge.fences().catch((): EdgeFence[] => [])]);
        const capabilities = caps.capabilities
          .filter((c) => capability === undefined || c.capability === capability)
          .map((c): FleetCapability => {
            const fence = fences.find((f) => f.capability === c.capability);
            return {
              capability: c.capability,
              stage: c.stage,
              percentage: c.percentage,
              ...(fence ? { fence: { raised: fence.raised, holders: fence.holds.map((h) => h.owner), inFlightWrites: fence.inFlightWrites, inDoubtWrites: fence.inDoubtWrites ?? 0 } } : {}),
            };
          });
        return { url, reachable: true, flags: caps.flags, capabilities };
      } catch (error) {
        if (!(error instanceof CliError)) throw error;
        return { url, reachable: false, error: error.message, capabilities: [] };
      }
    }),
  );
}

/** What is wrong on the other edges: unreachable, fenced, or routing a capability otherwise than EDGE_URL. */
export function otherEdgeProblems(edges: readonly FleetEdge[], primary: { url: string; capabilities: ReadonlyArray<{ capability: string; stage: string; percentage: number }> }): string[] {
  const problems: string[] = [];
  for (const edge of edges) {
    if (!edge.reachable) {
      problems.push(`edge ${edge.url}: unreachable (${edge.error ?? '?'})`);
      continue;
    }
    for (const c of edge.capabilities) {
      if (c.fence?.raised) problems.push(`edge ${edge.url}: ${c.capability}: writes are fenced (held by ${c.fence.holders.join(', ')}): a switch is under way there, or it never confirmed one`);
      const seen = primary.capabilities.find((p) => p.capability === c.capability);
      if (seen && (seen.stage !== c.stage || seen.percentage !== c.percentage)) {
        problems.push(`edge ${edge.url}: routes ${c.capability} at ${c.stage} ${c.percentage}% while ${primary.url} routes it at ${seen.stage} ${seen.percentage}%`);
      }
    }
  }
  return problems;
}
