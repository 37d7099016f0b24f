import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { formatManifestProblem, readManifestTexts } from '@strangler/cutover-model';
import type { Logger } from '@strangler/kit';
import { watchDirectoryChanges } from '../files/directory-watch';
import { watchFileChanges } from '../files/file-watch';
import { settleTimer } from '../files/settle-timer';
import { ReloadableFile, type ReloadOutcome, type ReloadStatus } from '../files/reloadable-file';
import { RouteMatcher } from './route-matcher';
import { ungatedChanges, type StageOf } from './ungated-changes';
import { buildRoutingTable } from './routing-inputs';
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
  /** The routes file's reload status, and the manifests directory read with it. */
  status(): (ReloadStatus & { manifestsDir?: string }) | undefined;
  /** Reads the inputs again now (the runtime calls it once the flags have loaded: see watchRoutes). */
  recheck(): Promise<void>;
  close(): Promise<void>;
}

export function snapshotOf(table: RoutingTable): RoutesSnapshot {
  const writers = new RouteMatcher({ ...table, capabilities: table.capabilities.map((c) => ({ ...c, routes: c.writtenThrough })) });
  return { table, matcher: new RouteMatcher(table), writers };
}

/** Fixed routes (tests, embedding). */
export function staticRoutes(table: RoutingTable): RoutesProvider {
  const snapshot = snapshotOf(table);
  return { current: () => snapshot, status: () => undefined, recheck: async () => undefined, close: async () => undefined };
}

export interface RoutesInputsOptions {
  /** The routes file: the monolith and the rate-limit classes. */
  filePath: string;
  /** The capability manifests: one `<name>.json` per capability (decision 0040). */
  manifestsDir: string;
  /**
   * Where the last good routes file and manifests are kept together (one JSON document): a start while
   * either is invalid runs on them.
   */
  backupPath?: string;
  env: Readonly<Record<string, string | undefined>>;
  debounceMs: number;
  logger: Logger;
  onReload?(outcome: ReloadOutcome, errors?: string[]): void;
  /**
   * The stage of a flag on this edge: a reload that would move requests between the sides with no
   * flip — dropping a capability, its flag or a write route while the service takes its writes;
   * adding one (or a new flag) already at a stage where the service answers, or a write route while
   * it takes writes — is refused (ungated-changes.ts). Absent: not checked.
   */
  stageOf?: StageOf;
}

/** The routes file and the manifests as one text: what is loaded, compared for changes and kept as the last good version. */
interface InputsBundle {
  routes: string;
  manifests: Array<{ name: string; text: string }>;
}

const isManifestName = (name: string): boolean => name.endsWith('.json') && !name.startsWith('.');

async function readInputs(filePath: string, manifestsDir: string): Promise<string> {
  let routes: string;
  try {
    routes = await readFile(filePath, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${filePath}: ${(error as Error).message}`);
  }
  const manifests = readManifestTexts(manifestsDir);
  if (!manifests.ok) throw new Error(manifests.problems.map(formatManifestProblem).join('; '));
  const bundle: InputsBundle = { routes, manifests: manifests.texts.map(({ file, text }) => ({ name: path.basename(file), text })) };
  return JSON.stringify(bundle);
}

function parseBundle(text: string): InputsBundle | undefined {
  try {
    const bundle = JSON.parse(text) as Partial<InputsBundle>;
    if (typeof bundle.routes !== 'string' || !Array.isArray(bundle.manifests)) return undefined;
    return bundle.manifests.every((m) => typeof m?.name === 'string' && typeof m.text === 'string') ? (bundle as InputsBundle) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The routes file and the manifests directory, validated together at start (bad ones with no good
 * backup throw FileLoadError) and reloaded when either changes: the file edited, a manifest added,
 * edited or removed. An invalid change keeps the last good routes, and says why.
 */
export async function watchRoutes(options: RoutesInputsOptions): Promise<RoutesProvider> {
  const manifestsDir = path.resolve(options.manifestsDir);
  const fileOf = (capability: string) => path.join(manifestsDir, `${capability}.json`);
  const tableOf = (text: string) => {
    const bundle = parseBundle(text);
    if (!bundle) return undefined;
    const parsed = buildRoutingTable(bundle.routes, bundle.manifests.map(({ name, text: manifest }) => ({ file: path.join(manifestsDir, name), text: manifest })), options.env);
    return parsed.ok ? parsed.table : undefined;
  };
  // At start the flags are not loaded yet, so no stage is known: what the last good copy routes is the
  // baseline, and a start that would retire one of its capabilities runs on that copy until the flags
  // say whether the service takes the capability's writes (the runtime rechecks then).
  const baseline = options.backupPath && options.stageOf ? await readFile(options.backupPath, 'utf8').then(tableOf, () => undefined) : undefined;
  let applied: RoutingTable | undefined;
  const file = new ReloadableFile<RoutesSnapshot>({
    filePath: options.filePath,
    ...(options.backupPath ? { backupPath: options.backupPath } : {}),
    debounceMs: options.debounceMs,
    logger: options.logger,
    read: () => readInputs(options.filePath, manifestsDir),
    watch: (onChange) => {
      // One settling time for both: a deploy that writes the routes file and manifests together reloads once.
      const settled = settleTimer(options.debounceMs, onChange);
      const watchers = [
        watchFileChanges({ filePath: options.filePath, debounceMs: options.debounceMs, logger: options.logger, onChange: () => settled.touch() }),
        watchDirectoryChanges({ dir: manifestsDir, matches: isManifestName, debounceMs: options.debounceMs, logger: options.logger, onChange: () => settled.touch() }),
      ];
      return {
        close: () => {
          watchers.forEach((watcher) => watcher.close());
          settled.cancel();
        },
      };
    },
    load: async (text) => {
      const bundle = parseBundle(text);
      if (!bundle) return { ok: false, errors: ['not a routes file and manifests bundle (a last good copy from an older edge?)'] };
      const manifests = bundle.manifests.map(({ name, text: manifest }) => ({ file: path.join(manifestsDir, name), text: manifest }));
      const parsed = buildRoutingTable(bundle.routes, manifests, options.env);
      if (!parsed.ok) return parsed;
      const previous = applied ?? baseline;
      // A stage not known (flags not loaded yet) is refused on every load, not only the first: the start
      // on the last good copy counts as applied, and an edit before the flags answer must not pass then.
      const refused = previous && options.stageOf ? ungatedChanges(previous, parsed.table, options.stageOf, fileOf) : [];
      if (refused.length > 0) return { ok: false, errors: refused };
      applied = parsed.table;
      return { ok: true, value: snapshotOf(parsed.table) };
    },
    ...(options.onReload ? { onReload: options.onReload.bind(options) } : {}),
  });
  await file.start();
  return { current: () => file.current(), status: () => ({ ...file.status(), manifestsDir }), recheck: () => file.reload(), close: () => file.close() };
}
