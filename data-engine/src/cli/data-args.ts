import { parseArgs } from 'node:util';
import { findCapability, type ConfiguredCapability } from '../data/capabilities';
import { DIRECTIONS, type Direction, type SideName } from '../data/types';

/** The usage text, listing the capabilities the manifests declare. */
export const dataUsage = (capabilities: readonly Capability[]): string => `Usage: npm run data -- <command> <capability> [options]

Moves a capability's rows between the monolith's database and its service's, and keeps them equal.

Commands
  capture install <capability>  install change capture (changelog table + triggers); do this first;
                                running it again changes only what differs, never opening a gap
  capture remove <capability>   remove it from every side, or from none while either side has
                                unsynced changes (unless --force)
  backfill <capability>         copy every row, in resumable chunks (run it again to resume)
  sync <capability>             long-running: apply captured changes; /health/live, /health/ready, /metrics
  verify <capability>           compare both sides in canonical form and check the capability's
                                invariants on both; exit 3 when they differ or an invariant breaks
  status <capability>           capture, backlog, checkpoints, quarantine and row counts
  quarantine list <capability>  rows set aside (conflicts, rows that cannot be read or carried), with why
  quarantine retry <capability> try every open one again on the workers' next poll
  quarantine resolve <capability> <mapping> <key-json> --keep monolith|service
                                write the kept side's version on the other side, close the entry

Capabilities
${capabilities.map((c) => `  ${c.name.padEnd(10)} ${c.mappings.map((m) => m.name).join(', ')}`).join('\n')}

Options
  --direction <d>          to-service (monolith → service) or to-monolith (service → monolith).
                           backfill: default to-service. sync: default to-service, or both.
                           capture: the direction whose source gets the triggers; default both.
  --json                   print the result as JSON on stdout (logs go to stderr)
  -h, --help               this help

  backfill  --dry-run                  read, transform and compare; write nothing
            --restart                  ignore the checkpoints, start from the first key
            --mapping <a,b>            only these mappings (default: all, parents first)
            --chunk-size <n>           first chunk size (default 1000; then adapts)
            --target-chunk-ms <n>      chunk size adapts toward this time per chunk (default 500)
            --max-rows-per-second <n>  throttle
            --pause-file <path>        pause while this file exists
            --quarantine               set rows that cannot be carried aside (data quarantine list)
                                       and go on; without it the backfill stops at the first, naming it
  sync      --port <n>                 health and metrics port (default DATA_SYNC_PORT or 9470; 0 = any)
            --batch-size <n>           changes per transaction (default 500)
            --poll-ms <n>              idle poll interval (default 50)
            --max-rows-per-second <n>, --pause-file <path>   as for backfill
            --once                     apply what is captured, then exit (no HTTP)
            --stall-seconds <n>        not ready after this long without progress (default 30)
  verify    --mapping <a,b>, --chunk-size <n> (default 2000), --rechecks <n> (default 3),
            --recheck-delay-ms <n> (default 500), --max-report <n> (rows listed per mapping, default 50)
  capture install --unless-removed     leave capture off where an operator removed it (what npm start runs)
  capture remove  --force              drop unsynced changes too
  quarantine list --direction <d>, --all (resolved ones too), --limit <n> (default 100)

Signals: SIGUSR1 pauses a backfill or sync, SIGUSR2 resumes it; SIGINT/SIGTERM stop it after the
current chunk or batch (its checkpoint committed): run the same command again to resume.

Capabilities are the manifests in MANIFESTS_DIR (default manifests/) that declare data; their
databases are the manifests' (the shipped ones: MONOLITH_DATABASE_URL, AUTH_DATABASE_URL,
PAYMENTS_DATABASE_URL, a mysql:// URL or a SQLite file path; defaults .data/monolith.sqlite,
.data/auth.sqlite, .data/payments.sqlite).

Conflicts (an entity changed on both sides since the sync last carried it) are never settled by a
clock: a mapping's safe rule settles them (a session's revocation wins; a delete of a user or
session wins), or they are quarantined for an operator (money, idempotency records).

Exit codes: 0 done, 1 failed (database unreachable, bad data), 2 bad arguments, 3 verify found
differences or broken invariants, 130 stopped by a signal before finishing.`;

type Capability = ConfiguredCapability;

export type DataCommand =
  | { command: 'capture'; action: 'install' | 'remove'; capability: Capability; sides: SideName[]; force: boolean; unlessRemoved: boolean; json: boolean }
  | { command: 'quarantine'; action: 'list'; capability: Capability; directions: Direction[]; all: boolean; limit: number; json: boolean }
  | { command: 'quarantine'; action: 'retry'; capability: Capability; json: boolean }
  | { command: 'quarantine'; action: 'resolve'; capability: Capability; mapping: string; key: string[]; keep: SideName; json: boolean }
  | {
      command: 'backfill';
      capability: Capability;
      direction: Direction;
      dryRun: boolean;
      quarantine: boolean;
      restart: boolean;
      mappings: string[] | undefined;
      chunkSize: number | undefined;
      targetChunkMs: number | undefined;
      maxRowsPerSecond: number | undefined;
      pauseFile: string | undefined;
      json: boolean;
    }
  | {
      command: 'sync';
      capability: Capability;
      directions: Direction[];
      port: number | undefined;
      stallSeconds: number | undefined;
      batchSize: number | undefined;
      pollMs: number | undefined;
      maxRowsPerSecond: number | undefined;
      pauseFile: string | undefined;
      once: boolean;
      json: boolean;
    }
  | {
      command: 'verify';
      capability: Capability;
      mappings: string[] | undefined;
      chunkSize: number | undefined;
      rechecks: number | undefined;
      recheckDelayMs: number | undefined;
      maxReport: number | undefined;
      json: boolean;
    }
  | { command: 'status'; capability: Capability; json: boolean };

export type DataArgs = { kind: 'help' } | { kind: 'error'; message: string } | { kind: 'run'; run: DataCommand };

const OPTIONS = {
  direction: { type: 'string' },
  authority: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  'dry-run': { type: 'boolean' },
  restart: { type: 'boolean' },
  mapping: { type: 'string' },
  'chunk-size': { type: 'string' },
  'target-chunk-ms': { type: 'string' },
  'max-rows-per-second': { type: 'string' },
  'pause-file': { type: 'string' },
  port: { type: 'string' },
  'batch-size': { type: 'string' },
  'poll-ms': { type: 'string' },
  once: { type: 'boolean' },
  rechecks: { type: 'string' },
  'recheck-delay-ms': { type: 'string' },
  'max-report': { type: 'string' },
  force: { type: 'boolean' },
  'unless-removed': { type: 'boolean' },
  quarantine: { type: 'boolean' },
  'stall-seconds': { type: 'string' },
  all: { type: 'boolean' },
  limit: { type: 'string' },
  keep: { type: 'string' },
} as const;

type Values = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

/** Which options each command takes: anything else is an error, not silently ignored. */
const ALLOWED: Record<DataCommand['command'], ReadonlyArray<keyof typeof OPTIONS>> = {
  capture: ['direction', 'json', 'force', 'unless-removed'],
  backfill: ['direction', 'json', 'dry-run', 'restart', 'mapping', 'chunk-size', 'target-chunk-ms', 'max-rows-per-second', 'pause-file', 'quarantine'],
  sync: ['direction', 'json', 'port', 'batch-size', 'poll-ms', 'max-rows-per-second', 'pause-file', 'once', 'stall-seconds'],
  verify: ['json', 'mapping', 'chunk-size', 'rechecks', 'recheck-delay-ms', 'max-report'],
  status: ['json'],
  quarantine: ['json', 'direction', 'all', 'limit', 'keep'],
};

class ArgumentError extends Error {}

function whole(values: Values, name: keyof typeof OPTIONS, min: number, max: number): number | undefined {
  const text = values[name];
  if (text === undefined) return undefined;
  if (typeof text !== 'string' || !/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new ArgumentError(`--${name} must be a whole number from ${min} to ${max}, got "${String(text)}"`);
  }
  return Number(text);
}

function direction(values: Values, fallback: Direction): Direction {
  const text = values.direction ?? fallback;
  if (!(DIRECTIONS as readonly string[]).includes(text)) throw new ArgumentError(`--direction must be to-service or to-monolith, got "${text}"`);
  return text as Direction;
}

function side(text: string | undefined, option: string): SideName {
  if (text !== 'monolith' && text !== 'service') throw new ArgumentError(`${option} must be monolith or service, got "${text ?? ''}"`);
  return text;
}

function entityKey(text: string | undefined): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? '');
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((part) => typeof part === 'string')) {
    throw new ArgumentError(`the key must be a JSON array of strings as quarantine list prints it, e.g. '["0b6f…"]', got ${JSON.stringify(text ?? '')}`);
  }
  return parsed as string[];
}

function mappings(values: Values, capability: Capability): string[] | undefined {
  if (values.mapping === undefined) return undefined;
  const names = values.mapping.split(',').map((name) => name.trim()).filter(Boolean);
  const known = capability.mappings.map((m) => m.name);
  const unknown = names.filter((name) => !known.includes(name));
  if (names.length === 0 || unknown.length) {
    throw new ArgumentError(`--mapping: ${capability.name} has ${known.join(', ')}; got "${values.mapping}"`);
  }
  return names;
}

type Named = (name: string | undefined) => Capability;

function capabilityNamed(capabilities: readonly Capability[], name: string | undefined): Capability {
  const known = capabilities.map((c) => c.name).join(' or ') || 'none (no manifest declares data)';
  if (!name) throw new ArgumentError(`a capability is required: ${known}`);
  const capability = findCapability(capabilities, name);
  if (!capability) throw new ArgumentError(`unknown capability "${name}": use ${known}`);
  return capability;
}

function quarantineCommand(rest: readonly string[], values: Values, json: boolean, named: Named): Extract<DataCommand, { command: 'quarantine' }> {
  const [action, name, mappingName, keyJson, ...extra] = rest;
  const refuse = (option: keyof Values, why: string) => {
    if (values[option] !== undefined) throw new ArgumentError(`quarantine ${action} does not take --${option}${why}`);
  };
  if (action === 'list') {
    if (mappingName !== undefined) throw new ArgumentError(`unexpected argument "${mappingName}"`);
    refuse('keep', '');
    const capability = named(name);
    const directions: Direction[] = values.direction === undefined || values.direction === 'both' ? ['to-service', 'to-monolith'] : [direction(values, 'to-service')];
    return { command: 'quarantine', action, capability, directions, all: values.all ?? false, limit: whole(values, 'limit', 1, 100_000) ?? 100, json };
  }
  if (action === 'retry') {
    if (mappingName !== undefined) throw new ArgumentError(`unexpected argument "${mappingName}"`);
    for (const option of ['keep', 'direction', 'all', 'limit'] as const) refuse(option, '');
    return { command: 'quarantine', action, capability: named(name), json };
  }
  if (action === 'resolve') {
    if (extra.length) throw new ArgumentError(`unexpected argument "${extra[0]}"`);
    for (const option of ['direction', 'all', 'limit'] as const) refuse(option, '');
    const capability = named(name);
    const mapping = capability.mappings.find((m) => m.name === mappingName)?.name;
    if (!mapping) throw new ArgumentError(`quarantine resolve needs one mapping of ${capability.name} (${capability.mappings.map((m) => m.name).join(', ')}), got "${mappingName ?? ''}"`);
    const key = entityKey(keyJson);
    const parts = capability.mappings.find((m) => m.name === mapping)?.key.length ?? 0;
    if (key.length !== parts) throw new ArgumentError(`a ${mapping} key has ${parts} part(s), got ${key.length}`);
    return { command: 'quarantine', action, capability, mapping, key, keep: side(values.keep, '--keep'), json };
  }
  throw new ArgumentError('quarantine needs list, retry or resolve: quarantine list <capability>');
}

/** Parses the command line against the capabilities the manifests declare; never throws or exits, so tests can call it. */
export function parseDataArgs(argv: readonly string[], capabilities: readonly Capability[]): DataArgs {
  const named: Named = (name) => capabilityNamed(capabilities, name);
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true }) as { values: Values; positionals: string[] });
  } catch (error) {
    return { kind: 'error', message: (error as Error).message };
  }
  if (values.help || positionals.length === 0 || positionals[0] === 'help') return { kind: 'help' };
  try {
    const [command, ...rest] = positionals;
    if (command !== 'capture' && command !== 'backfill' && command !== 'sync' && command !== 'verify' && command !== 'status' && command !== 'quarantine') {
      throw new ArgumentError(`unknown command "${command}": use capture, backfill, sync, verify, status or quarantine`);
    }
    if (values.authority !== undefined) {
      throw new ArgumentError('--authority is gone: a conflict is no longer decided by a side or a clock but recorded (a safe rule settles it, or it is quarantined: npm run data -- quarantine list)');
    }
    const given = (Object.keys(values) as Array<keyof typeof OPTIONS>).filter((name) => values[name] !== undefined);
    const refused = given.filter((name) => !ALLOWED[command].includes(name));
    if (refused.length) throw new ArgumentError(`${command} does not take ${refused.map((name) => `--${name}`).join(', ')}`);
    const json = values.json ?? false;
    const expectPositionals = (count: number) => {
      if (rest.length > count) throw new ArgumentError(`unexpected argument "${rest[count]}"`);
    };

    switch (command) {
      case 'capture': {
        const action = rest[0];
        if (action !== 'install' && action !== 'remove') throw new ArgumentError('capture needs install or remove: capture install <capability>');
        expectPositionals(2);
        const capability = named(rest[1]);
        const sides: SideName[] =
          values.direction === undefined || values.direction === 'both' ? ['monolith', 'service'] : [direction(values, 'to-service') === 'to-service' ? 'monolith' : 'service'];
        if (action === 'install' && values.force) throw new ArgumentError('capture install does not take --force');
        if (action === 'remove' && values['unless-removed']) throw new ArgumentError('capture remove does not take --unless-removed');
        return { kind: 'run', run: { command, action, capability, sides, force: values.force ?? false, unlessRemoved: values['unless-removed'] ?? false, json } };
      }
      case 'backfill': {
        expectPositionals(1);
        const capability = named(rest[0]);
        return {
          kind: 'run',
          run: {
            command,
            capability,
            direction: direction(values, 'to-service'),
            dryRun: values['dry-run'] ?? false,
            quarantine: values.quarantine ?? false,
            restart: values.restart ?? false,
            mappings: mappings(values, capability),
            chunkSize: whole(values, 'chunk-size', 1, 100_000),
            targetChunkMs: whole(values, 'target-chunk-ms', 10, 600_000),
            maxRowsPerSecond: whole(values, 'max-rows-per-second', 1, 100_000_000),
            pauseFile: values['pause-file'],
            json,
          },
        };
      }
      case 'sync': {
        expectPositionals(1);
        const capability = named(rest[0]);
        const directions: Direction[] = values.direction === 'both' ? ['to-service', 'to-monolith'] : [direction(values, 'to-service')];
        if (values.once && values.port !== undefined) throw new ArgumentError('--once runs without HTTP: drop --port');
        return {
          kind: 'run',
          run: {
            command,
            capability,
            directions,
            port: whole(values, 'port', 0, 65_535),
            stallSeconds: whole(values, 'stall-seconds', 1, 86_400),
            batchSize: whole(values, 'batch-size', 1, 10_000),
            pollMs: whole(values, 'poll-ms', 1, 60_000),
            maxRowsPerSecond: whole(values, 'max-rows-per-second', 1, 100_000_000),
            pauseFile: values['pause-file'],
            once: values.once ?? false,
            json,
          },
        };
      }
      case 'verify': {
        expectPositionals(1);
        const capability = named(rest[0]);
        return {
          kind: 'run',
          run: {
            command,
            capability,
            mappings: mappings(values, capability),
            chunkSize: whole(values, 'chunk-size', 1, 100_000),
            rechecks: whole(values, 'rechecks', 0, 20),
            recheckDelayMs: whole(values, 'recheck-delay-ms', 0, 60_000),
            maxReport: whole(values, 'max-report', 0, 100_000),
            json,
          },
        };
      }
      case 'status': {
        expectPositionals(1);
        return { kind: 'run', run: { command, capability: named(rest[0]), json } };
      }
      case 'quarantine':
        return { kind: 'run', run: quarantineCommand(rest, values, json, named) };
    }
  } catch (error) {
    if (error instanceof ArgumentError) return { kind: 'error', message: error.message };
    throw error;
  }
}
