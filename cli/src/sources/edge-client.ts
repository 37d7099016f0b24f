import { CliError } from '../cli-error';
import { describeErrorBody, httpCall, type HttpOptions } from './http-json';
import { parsePrometheusText, type Sample } from './prometheus-text';

/** One capability as the edge's `GET /_edge/capabilities` reports it. */
export interface EdgeCapability {
  capability: string;
  flag: string;
  flagFound: boolean;
  enabled: boolean;
  stage: string;
  percentage: number;
  serviceUrl: string;
  breaker: string;
  /** Absent on an edge from before they existed. */
  emergencyStop?: { by: string; reason: string; since: string } | null;
  stickiness?: string | null;
  /** Whether the flag's state is the one `strangler` sealed when its gates approved it (null: never sealed). */
  approved?: boolean | null;
}

export interface EdgeCapabilities {
  flags: {
    kind: string;
    ready: boolean;
    lastSuccessAt?: number;
    errors: number;
    lastError?: string;
    where: string;
    stale?: boolean;
    ageSeconds?: number;
    fromBackup?: string;
    emergencyStops?: Array<{ capability: string; by: string; reason: string; since: string }>;
  };
  /** How long a caller's reads follow their last write (absent on an edge from before it existed). */
  readYourWrites?: { windowMs: number; callerKeys: number };
  capabilities: EdgeCapability[];
}

/** A route of the shadow report (`GET /_edge/mismatches`); only the counts are read. */
export interface ShadowRoute {
  capability: string;
  routeKey: string;
  mirrored: number;
  compared: number;
  mismatched: number;
  inconclusive: number;
  errors: { secondary: number; candidate: number };
}

/** One capability's write fence as the edge's `/_edge/fences` reports it (edge/src/consistency/write-fence.ts). */
export interface EdgeFence {
  capability: string;
  raised: boolean;
  expiresAt?: number;
  holds: Array<{ owner: string; expiresAt: number }>;
  /** Writes let through and not over: awaiting their answer, or in doubt (decision 0038). */
  inFlightWrites: number;
  /** Of those, writes the edge stopped waiting for that the upstream may still do (edges before 0038: absent). */
  inDoubtWrites?: number;
  inDoubtUntil?: number;
  /** The edge process (a restart changes it; edges before 0038: absent). */
  bootId?: string;
}

/** The reload state of the edge's routes file and manifests, as `GET /_edge/routes` reports it (edge/src/files/reloadable-file.ts). */
export interface EdgeRoutesFile {
  lastError?: { at: string; errors: string[] };
  fromBackup?: string;
}

/** Reads the edge's admin endpoints and metrics; the only things it changes are write fences. */
export class EdgeClient {
  constructor(
    readonly url: string,
    private readonly adminToken: string | undefined,
    private readonly http: HttpOptions,
  ) {}

  private async admin(path: string, method = 'GET', body?: unknown): Promise<unknown> {
    const answer = await httpCall(this.http, 'the edge', `${this.url}${path}`, {
      method,
      headers: this.adminToken ? { authorization: `Bearer ${this.adminToken}` } : {},
      ...(body !== undefined ? { body } : {}),
    });
    if (answer.status === 401 || answer.status === 403) {
      throw new CliError(`the edge refused ${path} (${answer.status}): ${this.adminToken ? 'EDGE_ADMIN_TOKEN is not the edge’s admin token' : 'set EDGE_ADMIN_TOKEN'}`);
    }
    if (answer.status !== 200) throw new CliError(`the edge answered ${path} with ${answer.status}: ${describeErrorBody(answer.text)}`);
    return answer.json();
  }

  async capabilities(): Promise<EdgeCapabilities> {
    return (await this.admin('/_edge/capabilities')) as EdgeCapabilities;
  }

  /** How the edge's routes file and manifests stand (`GET /_edge/routes`): a refused edit, a start on the last good copy. */
  async routesFile(): Promise<EdgeRoutesFile> {
    return ((await this.admin('/_edge/routes')) as { file: EdgeRoutesFile }).file;
  }

  async fences(): Promise<EdgeFence[]> {
    return ((await this.admin('/_edge/fences')) as { fences: EdgeFence[] }).fences;
  }

  /** Raises (or renews) a hold; with `until`, it lifts only once the edge routes the capability by that flag (decision 0039). */
  async raiseFence(capability: string, owner: string, ttlMs: number, until?: { stage: string; percentage: number }): Promise<EdgeFence> {
    return (await this.admin(`/_edge/fences/${encodeURIComponent(capability)}`, 'PUT', { owner, ttlMs, ...(until ? { until } : {}) })) as EdgeFence;
  }

  async lowerFence(capability: string, owner: string): Promise<EdgeFence> {
    return (await this.admin(`/_edge/fences/${encodeURIComponent(capability)}/${encodeURIComponent(owner)}`, 'DELETE')) as EdgeFence;
  }

  async shadowRoutes(): Promise<ShadowRoute[]> {
    return ((await this.admin('/_edge/mismatches')) as { routes: ShadowRoute[] }).routes;
  }

  async metrics(): Promise<Sample[]> {
    const answer = await httpCall(this.http, 'the edge', `${this.url}/metrics`);
    if (answer.status !== 200) throw new CliError(`the edge answered /metrics with ${answer.status}`);
    return parsePrometheusText(answer.text);
  }
}
