import type { Agent } from 'node:http';
import type { Registry } from 'prom-client';
import type { Logger } from '@strangler/kit';

export interface CapturedResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
  truncated: boolean;
  latencyMs: number;
}

export interface ShadowJob {
  capability: string;
  /** e.g. "GET /api/payments/:id" */
  routeKey: string;
  method: string;
  /** path + query */
  url: string;
  /** request headers to forward, hop-by-hop removed, x-request-id kept */
  headers: Record<string, string | string[]>;
  /** JSON pointers from the routes file for this route */
  ignore: string[];
  /** the monolith's answer the client got */
  primary: CapturedResponse;
  serviceUrl: string;
  monolithUrl: string;
}

export interface ShadowOptions {
  registry: Registry;
  logger: Logger;
  maxConcurrent: number;
  maxQueue: number;
  maxBodyBytes: number;
  timeoutMs: number;
  agentFor: (baseUrl: string) => Agent;
  sampleSize: number;
  /**
   * Mirror only while the edge's event loop was busy at most this share of the last moment (0..1];
   * above it, jobs are dropped as `busy`. 1 never sheds.
   */
  maxLoopUtilization: number;
  /** How busy the edge is (tests swap it); defaults to the event loop's own utilization. */
  loadProbe?: LoadProbe;
}

export interface LoadProbe {
  /** 0..1 */
  utilization(): number;
  stop(): void;
}

export interface ShadowMirror {
  /** never throws, never delays the caller; drops (and counts) when saturated */
  submit(job: ShadowJob): void;
  /**
   * Whether a request of this capability would be mirrored now, asked before its answer is captured:
   * false (counted as dropped, `busy`) while the edge is too busy, so a shed mirror costs nothing.
   */
  admit(capability: string): boolean;
  /** A request the edge chose not to mirror (counted as dropped with this reason). */
  skip(capability: string, reason: 'recent_write'): void;
  /** JSON for GET /_edge/mismatches */
  mismatches(): unknown;
  close(): Promise<void>;
}

/** The two mirrored calls; `primary` is the monolith answer the client already got. */
export type ShadowSide = 'primary' | 'secondary' | 'candidate';
