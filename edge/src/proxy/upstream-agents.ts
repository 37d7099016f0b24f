import http from 'node:http';
import https from 'node:https';

export interface AgentSettings {
  maxSockets: number;
  /** Idle keep-alive sockets are closed after this; keep it below the upstreams' keep-alive timeout. */
  idleSocketMs: number;
}

/**
 * One keep-alive agent per upstream origin, shared by the proxy and the shadow mirror. Agents outlive
 * routes reloads (an in-flight request keeps using its socket); there are only ever a handful.
 */
export class UpstreamAgents {
  private readonly agents = new Map<string, http.Agent>();

  constructor(private readonly settings: AgentSettings) {}

  agentFor(baseUrl: string): http.Agent {
    const origin = new URL(baseUrl).origin;
    let agent = this.agents.get(origin);
    if (!agent) {
      // Only what differs from node's defaults (keepAliveMsecs 1000 and scheduling 'lifo' are theirs):
      // the agent copies these options into every request it places.
      const options: http.AgentOptions = {
        keepAlive: true,
        maxSockets: this.settings.maxSockets,
        maxFreeSockets: Math.min(this.settings.maxSockets, 64),
        // On an agent, `timeout` is what closes idle pooled sockets before the upstream does (a
        // request's own socket timeout is set per attempt by the forwarder).
        timeout: this.settings.idleSocketMs,
      };
      agent = origin.startsWith('https:') ? new https.Agent(options) : new http.Agent(options);
      this.agents.set(origin, agent);
    }
    return agent;
  }

  destroy(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }
}
