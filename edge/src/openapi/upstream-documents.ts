import type { Logger, OpenApiDocument } from '@strangler/kit';
import type { RoutesProvider } from '../routing/routes-source';
import { aggregateDocument, MONOLITH, type UpstreamDocuments } from './aggregate-document';

export interface PublicDocumentOptions {
  routes: RoutesProvider;
  logger: Logger;
  now: () => number;
  /** How long an aggregated document is served before the upstreams are asked again. */
  refreshMs: number;
  /** How long one upstream may take to answer `GET /openapi.json`. */
  timeoutMs: number;
  info: { title: string; version: string };
}

/**
 * The edge's `GET /openapi.json`: the upstreams' documents, fetched when asked for and at most every
 * `refreshMs`, aggregated by the current routes. An upstream that does not answer keeps its last
 * good document; one that never did is left out (and named in the description).
 */
export class PublicDocument {
  private readonly lastGood = new Map<string, OpenApiDocument>();
  private built: { at: number; routes: unknown; document: OpenApiDocument } | undefined;
  private inFlight: Promise<OpenApiDocument> | undefined;

  constructor(private readonly options: PublicDocumentOptions) {}

  /** The aggregated document, or undefined when no upstream has ever answered. */
  async current(): Promise<OpenApiDocument | undefined> {
    const snapshot = this.options.routes.current();
    const built = this.built;
    if (built && built.routes === snapshot && this.options.now() - built.at < this.options.refreshMs) return built.document;
    this.inFlight ??= this.rebuild().finally(() => {
      this.inFlight = undefined;
    });
    const document = await this.inFlight;
    return Object.keys(document.paths).length > 0 ? document : undefined;
  }

  private async rebuild(): Promise<OpenApiDocument> {
    const snapshot = this.options.routes.current();
    const upstreams: Record<string, string> = { [MONOLITH]: snapshot.table.monolith.url };
    for (const capability of snapshot.table.capabilities) upstreams[capability.name] = capability.service.url;
    const documents: UpstreamDocuments = {};
    await Promise.all(
      Object.entries(upstreams).map(async ([name, url]) => {
        const fetched = await this.fetchDocument(name, url);
        if (fetched) this.lastGood.set(name, fetched);
        documents[name] = this.lastGood.get(name);
      }),
    );
    const document = aggregateDocument(snapshot, documents, this.options.info);
    this.built = { at: this.options.now(), routes: snapshot, document };
    return document;
  }

  private async fetchDocument(upstream: string, baseUrl: string): Promise<OpenApiDocument | undefined> {
    try {
      const response = await fetch(new URL('/openapi.json', baseUrl), { signal: AbortSignal.timeout(this.options.timeoutMs) });
      if (response.status !== 200) throw new Error(`answered ${response.status}`);
      const document = (await response.json()) as OpenApiDocument;
      if (typeof document?.openapi !== 'string' || !document.openapi.startsWith('3.1') || typeof document.paths !== 'object') throw new Error('not an OpenAPI 3.1 document');
      return document;
    } catch (error) {
      this.options.logger.warn({ upstream, err: error }, 'OpenAPI document unavailable; keeping the last good one');
      return undefined;
    }
  }
}
