import type { Logger } from '@strangler/kit';
import { ReloadableFile, type ReloadOutcome, type ReloadStatus } from '../files/reloadable-file';
import { RouteMatcher } from './route-matcher';
import { parseRoutesFile } from './routes-file';
import type { RoutingTable } from './routing-table';

/** One consistent version of the routes: a request keeps the snapshot it was matched with. */
export interface RoutesSnapshot {
  table: RoutingTable;
  matcher: RouteMatcher;
  /** Matches the monolith routes that also write a capability's data (`writtenThrough`), for the write fence. */
  writers: RouteMatcher;
}

export interface RoutesProvider {
  current(): RoutesSnapshot;
  status(): ReloadStatus | undefined;
  close(): Promise<void>;
}

export function snapshotOf(table: RoutingTable): RoutesSnapshot {
  const writers = new RouteMatcher({ ...table, capabilities: table.capabilities.map((c) => ({ ...c, routes: c.writtenThrough })) });
  return { table, matcher: new RouteMatcher(table), writers };
}

/** Fixed routes (tests, embedding). */
export function staticRoutes(table: RoutingTable): RoutesProvider {
  const snapshot = snapshotOf(table);
  return { current: () => snapshot, status: () => undefined, close: async () => undefined };
}

export interface RoutesFileOptions {
  filePath: string;
  /** Where the last good routes are kept (ReloadableFile): a start on an invalid file runs on them. */
  backupPath?: string;
  env: Readonly<Record<string, string | undefined>>;
  debounceMs: number;
  logger: Logger;
  onReload?(outcome: ReloadOutcome, errors?: string[]): void;
}

/** The routes file, validated at start (a bad file with no good backup throws FileLoadError) and reloaded when it changes. */
export async function watchRoutesFile(options: RoutesFileOptions): Promise<RoutesProvider> {
  const file = new ReloadableFile<RoutesSnapshot>({
    filePath: options.filePath,
    ...(options.backupPath ? { backupPath: options.backupPath } : {}),
    debounceMs: options.debounceMs,
    logger: options.logger,
    load: async (text) => {
      const parsed = parseRoutesFile(text, options.env);
      return parsed.ok ? { ok: true, value: snapshotOf(parsed.table) } : parsed;
    },
    ...(options.onReload ? { onReload: options.onReload.bind(options) } : {}),
  });
  await file.start();
  return { current: () => file.current(), status: () => file.status(), close: () => file.close() };
}
