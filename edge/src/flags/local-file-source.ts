import { InMemStorageProvider, Unleash, UnleashEvents, type ClientFeaturesResponse, type Variant } from 'unleash-client';
import type { Logger } from '@strangler/kit';
import { ReloadableFile } from '../files/reloadable-file';
import type { FlagClient, FlagSource, FlagSourceObserver, FlagSourceStatus } from './flag-source';
import { parseFlagsDocument } from '@strangler/cutover-model';
import { destroyUnleash, unleashReady } from './unleash-lifecycle';

export interface LocalFileFlagSourceOptions {
  filePath: string;
  /** Where the last good flags are kept (ReloadableFile): a start on an invalid file runs on them. */
  backupPath?: string;
  debounceMs: number;
  logger: Logger;
  appName?: string;
  observer?: FlagSourceObserver;
  /** How long a freshly built client may take to load its flags. */
  buildTimeoutMs?: number;
}

interface BuiltClient {
  client: FlagClient;
  dispose(): void;
}

/** unleash-client never becomes ready on an empty feature list; no flags means the monolith serves, as it would anyway. */
const NO_FLAGS: BuiltClient = {
  client: {
    getVariant: (_name: string, _context: unknown, fallback: Variant) => ({ ...fallback, feature_enabled: false }),
    getFeatureToggleDefinition: () => undefined,
    getFeatureToggleDefinitions: () => [],
  },
  dispose: () => undefined,
};

/**
 * An offline unleash-client over a document already read and validated (the NOTES recipe: dummy url,
 * no refresh, no metrics, in-memory storage, bootstrap). It bootstraps from `data` rather than
 * `filePath` so that exactly the bytes that were validated are evaluated, with no second read racing an edit.
 */
async function buildOfflineClient(document: ClientFeaturesResponse, appName: string, timeoutMs: number): Promise<BuiltClient> {
  if (document.features.length === 0) return NO_FLAGS;
  let ready = false;
  const problems: string[] = [];
  const unleash = new Unleash({
    appName,
    url: 'http://flags-file.invalid/api/',
    refreshInterval: 0,
    disableMetrics: true,
    storageProvider: new InMemStorageProvider(),
    bootstrap: { data: document.features, ...(document.segments ? { segments: document.segments } : {}) },
    skipInstanceCountWarning: true,
  });
  unleash.on(UnleashEvents.Error, (error: unknown) => problems.push(String(error)));
  unleash.on(UnleashEvents.Warn, (warning: unknown) => problems.push(String(warning)));
  unleash.once(UnleashEvents.Ready, () => (ready = true));
  if (!(await unleashReady(unleash, () => ready, timeoutMs))) {
    destroyUnleash(unleash);
    throw new Error(`flags did not load: ${problems.join('; ') || 'timed out'}`);
  }
  return { client: unleash as unknown as FlagClient, dispose: () => destroyUnleash(unleash) };
}

/**
 * Flags from a local file in the format of Unleash's `/api/client/features` response, evaluated by
 * unleash-client offline. An edit is picked up within a second: a new client is built off the request
 * path and swapped in whole; an invalid edit keeps the last good flags and is counted.
 */
export async function createLocalFileFlagSource(options: LocalFileFlagSourceOptions): Promise<FlagSource> {
  const logger = options.logger.child({ component: 'flags', source: 'local-file' });
  const appName = options.appName ?? 'strangler-edge';
  let lastSuccessAt: number | undefined;
  let errors = 0;
  let lastError: string | undefined;
  let closed = false;
  let revision = 0;
  const file = new ReloadableFile<BuiltClient>({
    filePath: options.filePath,
    ...(options.backupPath ? { backupPath: options.backupPath } : {}),
    debounceMs: options.debounceMs,
    logger,
    load: async (text) => {
      const parsed = parseFlagsDocument(text);
      if (!parsed.ok) return parsed;
      return { ok: true, value: await buildOfflineClient(parsed.document as unknown as ClientFeaturesResponse, appName, options.buildTimeoutMs ?? 2_000) };
    },
    dispose: (built) => built.dispose(),
    onReload: (outcome, problems) => {
      if (outcome === 'applied') {
        // A new client is swapped in whole; the revision says so too.
        revision += 1;
        lastSuccessAt = Date.now();
        options.observer?.refreshed('local-file');
      } else if (outcome === 'invalid') {
        errors += 1;
        lastError = problems?.join('; ');
        options.observer?.failed('local-file', 'error');
      }
    },
  });
  await file.start();
  logger.info({ file: options.filePath }, 'flags loaded');
  return {
    kind: 'local-file',
    client: () => (closed ? undefined : file.current().client),
    status: (): FlagSourceStatus => {
      const { file: where, fromBackup, lastError: fileError } = file.status();
      return { kind: 'local-file', ready: !closed, lastSuccessAt, errors, lastError: lastError ?? fileError?.errors.join('; '), where, ...(fromBackup ? { fromBackup } : {}) };
    },
    revision: () => revision,
    whenReady: async () => !closed,
    async close() {
      if (closed) return;
      closed = true;
      await file.close();
    },
  };
}

