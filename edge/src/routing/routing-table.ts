/** An upstream as the routes file names it, with its optional timeout overrides. */
export interface UpstreamSpec {
  url: string;
  connectTimeoutMs?: number;
  responseTimeoutMs?: number;
}

export interface RouteSpec {
  capability: string;
  /** Upper-case methods, or '*' for any. A GET route also answers HEAD. */
  methods: '*' | string[];
  pattern: string;
  /** JSON pointers the shadow comparison ignores for this route. */
  ignore: string[];
}

export interface CapabilitySpec {
  name: string;
  flag: string;
  service: UpstreamSpec;
  routes: RouteSpec[];
  /** Monolith routes that write this capability's data too (the routes file's `writtenThrough`): fenced with it. */
  writtenThrough: RouteSpec[];
}

/** A validated routes file: what the edge routes by until the next good reload. */
export interface RoutingTable {
  monolith: UpstreamSpec;
  capabilities: CapabilitySpec[];
}
