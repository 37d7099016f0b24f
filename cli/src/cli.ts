import { parseArgs } from 'node:util';
import { CliError, usageError } from './cli-error';
import type { CliIo } from './cli-io';
import { readCliConfig, type CliConfig } from './config';
import { EXIT } from './exit-codes';
import { emergency } from './commands/emergency-command';
import { flip, type FlipDeps } from './commands/flip-command';
import { collectStatus } from './commands/status-report';
import { dataDeclaredIn, manifestProblemsIn } from './capabilities';
import { DATA_COMMANDS, runData } from './commands/data-command';
import { isStage, STAGES, type Stage } from '@strangler/cutover-model';
import { SwitchDatabases } from './gates/switch-databases';
import { blockersWithEngine, verifyWithEngine } from './gates/engine-checks';
import type { BacklogOutcome, VerifyOutcome } from './gates/gate-runner';
import { formatStatus } from './output/status-output';
import type { FetchLike } from './sources/http-json';
import { EMERGENCY_USAGE, FLIP_USAGE, MAIN_USAGE, ROLLBACK_USAGE, STATUS_USAGE } from './usage';

export interface CliDeps {
  fetch?: FetchLike;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** The stage gates' verify; defaults to the data engine's, in-process. */
  verify?: (capability: string) => Promise<VerifyOutcome>;
  /** The stage gates' changelog backlog; defaults to the data engine's status, in-process. */
  backlog?: (capability: string) => Promise<BacklogOutcome>;
}

type Env = Record<string, string | undefined>;

const FLIP_OPTIONS = {
  stage: { type: 'string' },
  percent: { type: 'string' },
  force: { type: 'boolean' },
  'max-lag': { type: 'string' },
  wait: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** node:util parseArgs (strict: an unknown option is an error, not ignored), its errors as usage errors. */
function parsed<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw usageError((error as Error).message);
  }
}

function number(text: string | undefined, name: string, min: number, max: number, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw usageError(`--${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

function onePositional(positionals: string[], what: string): string | undefined {
  if (positionals.length > 1) throw usageError(`unexpected argument "${positionals[1]}" (one ${what} at a time)`);
  return positionals[0];
}

/** Runs one `strangler` invocation; resolves to the exit code. Never exits the process itself. */
export async function runCli(argv: readonly string[], env: Env, io: CliIo, deps: CliDeps = {}): Promise<number> {
  const [command, ...rest] = argv;
  const wantsJson = rest.includes('--json');
  try {
    if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
      io.out(`${MAIN_USAGE}\n`);
      return command === undefined ? EXIT.usage : EXIT.ok;
    }
    if (command === 'data') return await runData(rest, env, io);
    if (DATA_COMMANDS.has(command)) return await runData(argv, env, io);

    const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const config = () => readCliConfig(env);
    const http = (c: CliConfig) => ({ fetch: deps.fetch ?? fetch, timeoutMs: c.STRANGLER_HTTP_TIMEOUT_MS });

    switch (command) {
      case 'status': {
        const { values, positionals } = parsed(() =>
          parseArgs({ args: rest, options: { window: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true }),
        );
        if (values.help) return help(io, STATUS_USAGE);
        const capability = onePositional(positionals, 'capability');
        const windowSeconds = number(values.window, 'window', 1, 3600, false);
        const c = config();
        if (windowSeconds) {
          // It measures the traffic of the window to come: say so before waiting (runbook §6.2 asks for an hour).
          const until = new Date(Date.now() + windowSeconds * 1000).toISOString().slice(11, 19);
          io.err(`measuring the next ${windowSeconds} s of traffic (until ${until} UTC), then reporting; Ctrl-C stops\n`);
        }
        const report = await collectStatus({ config: c, http: http(c), sleep, blockers: (name) => blockersWithEngine(name, env), manifestProblems: () => manifestProblemsIn(c.MANIFESTS_DIR), movesData: dataDeclaredIn(c.MANIFESTS_DIR) }, { ...(capability ? { capability } : {}), ...(windowSeconds ? { windowSeconds } : {}) });
        io.out(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatStatus(report)}\n`);
        if (capability && report.edge.reachable && report.capabilities.length === 0) return EXIT.usage;
        return report.problems.length ? EXIT.failed : EXIT.ok;
      }
      case 'flip':
      case 'rollback': {
        const rollback = command === 'rollback';
        const { values, positionals } = parsed(() => parseArgs({ args: rest, options: FLIP_OPTIONS, allowPositionals: true, strict: true }));
        if (values.help) return help(io, rollback ? ROLLBACK_USAGE : FLIP_USAGE);
        let stage: Stage = 'monolith';
        if (rollback) {
          if (values.stage !== undefined || values.percent !== undefined) {
            throw usageError('rollback takes no --stage or --percent: it goes to monolith and keeps the percentage (use flip for anything else)');
          }
        } else {
          if (values.stage === undefined) throw usageError(`--stage is required: ${STAGES.join(', ')}`);
          if (!isStage(values.stage)) throw usageError(`unknown stage "${values.stage}": use ${STAGES.join(', ')}`);
          stage = values.stage;
        }
        const c = config();
        const databases = new SwitchDatabases(env);
        const flipDeps: FlipDeps = {
          config: c,
          http: http(c),
          out: (text) => io.out(text),
          warn: (text) => io.err(text),
          verify: deps.verify ?? ((capability) => verifyWithEngine(capability, env)),
          backlog: deps.backlog ?? ((capability) => databases.read(capability)),
          blockers: (capability) => blockersWithEngine(capability, env),
          dbFence: {
            raise: (capability, sides, owner, ttlMs, waitMs) => databases.raiseFence(capability, sides, owner, ttlMs, waitMs),
            drain: (capability, sides, timeoutMs) => databases.awaitOpenWrites(capability, sides, timeoutMs),
            lower: (capability, sides, owner) => databases.lowerFence(capability, sides, owner),
          },
          sleep,
          now: deps.now ?? Date.now,
        };
        try {
          return await flip(
          {
            capability: onePositional(positionals, 'capability'),
            stage,
            percent: number(values.percent, 'percent', 0, 100, true),
            force: values.force ?? false,
            maxLagSeconds: number(values['max-lag'], 'max-lag', 0, 86_400, false),
            waitSeconds: number(values.wait, 'wait', 0, 600, false) ?? 15,
            json: values.json ?? false,
            rollback,
          },
          flipDeps,
          );
        } finally {
          await databases.close();
        }
      }
      case 'emergency': {
        const { values, positionals } = parsed(() =>
          parseArgs({ args: rest, options: { reason: { type: 'string' }, by: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true }),
        );
        if (values.help) return help(io, EMERGENCY_USAGE);
        const [action, capability, extra] = positionals;
        if (action !== 'stop' && action !== 'clear') throw usageError('emergency needs stop or clear: strangler emergency stop <capability> --reason "<why>"');
        if (!capability) throw usageError(`emergency ${action} needs a capability`);
        if (extra !== undefined) throw usageError(`unexpected argument "${extra}"`);
        if (action === 'clear' && values.reason !== undefined) throw usageError('emergency clear takes no --reason');
        const c = config();
        return await emergency(
          { action, capability, reason: values.reason, by: values.by, json: values.json ?? false },
          { edgeUrls: c.edgeUrls, adminToken: c.EDGE_ADMIN_TOKEN, http: http(c), out: (text) => io.out(text) },
        );
      }
      default:
        throw usageError(`unknown command "${command}": use status, flip, rollback, emergency or data (strangler --help)`);
    }
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    io.err(`strangler: ${error.message}\n${error.exitCode === EXIT.usage ? `(strangler ${command && !command.startsWith('-') ? `${command} ` : ''}--help for usage)\n` : ''}`);
    if (wantsJson) io.out(`${JSON.stringify({ ok: false, error: error.message, exitCode: error.exitCode })}\n`);
    return error.exitCode;
  }
}

function help(io: CliIo, text: string): number {
  io.out(`${text}\n`);
  return EXIT.ok;
}
