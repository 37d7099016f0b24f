import type { EdgeClient } from '../sources/edge-client';

/**
 * The edges that route `capability`, and those that do not (its manifest refused there, say because
 * its flag was already past shadow when it arrived, or not deployed there). One that does not sends all
 * of the capability's requests to the monolith, whatever the flag says. An edge that cannot be read
 * counts as routing it: what is asked of it next (its fence, its confirmation) then fails loudly.
 */
export async function edgesRouting(edges: EdgeClient[], capability: string): Promise<{ routing: EdgeClient[]; notRouting: EdgeClient[] }> {
  const routes = await Promise.all(edges.map(async (edge) => (await edge.capabilities().catch(() => undefined))?.capabilities.some((c) => c.capability === capability) ?? true));
  return { routing: edges.filter((_, i) => routes[i]), notRouting: edges.filter((_, i) => !routes[i]) };
}

/** Why a change that gives the service some of the capability's requests cannot be made while `notRouting` do not route it. */
export function notRoutingProblem(notRouting: readonly EdgeClient[], capability: string): string {
  return `${notRouting.map((edge) => edge.url).join(', ')} does not route ${capability} (a refused edit of its manifests? \`strangler status\` says why): it would keep sending ${capability}'s requests to the monolith while the flag gives them to the service`;
}
