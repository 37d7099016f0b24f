import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildFlagsDocument } from '@strangler/cutover-model';
import { strangler } from './support/cli-harness';

const ROOT = path.resolve(__dirname, '../..');

describe('strangler: help and bad input', () => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'strangler-cli-'));
    // The shipped flags file (every capability at monolith, 0%), copied: a local `npm start` may have flipped the original.
    const flags = path.join(dir, 'flags.json');
    writeFileSync(flags, JSON.stringify(buildFlagsDocument([
      { capability: 'auth', enabled: false, stage: 'monolith', rollout: 0 },
      { capability: 'payments', enabled: false, stage: 'monolith', rollout: 0 },
    ])));
    // Nothing listens there: a command that got as far as the network would fail differently (exit 1).
    env = { EDGE_URL: 'http://127.0.0.1:9', SYNC_URLS: 'http://127.0.0.1:9', FLAGS_FILE: flags, MANIFESTS_DIR: path.join(ROOT, 'manifests') };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    [['--help'], /^Usage: strangler <command>/],
    [['help'], /^Usage: strangler <command>/],
    [['status', '--help'], /^Usage: strangler status \[capability\]/],
    [['flip', '-h'], /^Usage: strangler flip <capability> --stage <stage>/],
    [['rollback', '--help'], /^Usage: strangler rollback <capability>/],
    [['data', '--help'], /^Usage: strangler data <command> <capability>/],
    [['sync', '--help'], /^Usage: strangler data <command> <capability>/],
  ])('%j prints help, exit 0', async (argv, text) => {
    const result = await strangler(argv, env);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(text);
    expect(result.err).toBe('');
  });

  it('no command at all prints the help on stdout and exits 2', async () => {
    const result = await strangler([], env);
    expect(result.code).toBe(2);
    expect(result.out).toMatch(/^Usage: strangler/);
  });

  it.each([
    [['frobnicate'], /unknown command "frobnicate": use status, flip, rollback, emergency or data/],
    [['flip'], /--stage is required: monolith, shadow, reads, live, complete/],
    [['flip', '--stage', 'live'], /a capability is required: auth, payments/],
    [['flip', 'orders', '--stage', 'live'], /unknown capability "orders": the manifests declare auth, payments/],
    [['flip', 'payments', '--stage', 'half'], /unknown stage "half": use monolith, shadow, reads, live, complete/],
    [['flip', 'payments', '--stage', 'live', '--percent', '101'], /--percent must be a whole number from 0 to 100, got "101"/],
    [['flip', 'payments', '--stage', 'live', '--percent', '2.5'], /--percent must be a whole number from 0 to 100, got "2.5"/],
    [['flip', 'payments', '--stage', 'live', '--percent', 'ten'], /--percent must be a whole number from 0 to 100, got "ten"/],
    [['flip', 'payments', 'auth', '--stage', 'live'], /unexpected argument "auth" \(one capability at a time\)/],
    [['flip', 'payments', '--stage', 'live', '--bogus'], /Unknown option '--bogus'/],
    [['flip', 'payments', '--stage', 'live', '--wait', '-1'], /Option '--wait' argument is ambiguous|--wait must be a number from 0 to 600/],
    [['flip', 'payments', '--stage', 'reads'], /strangler\.payments is at 0%: give --percent for reads \(nobody would move\)/],
    [['rollback', 'payments', '--stage', 'live'], /rollback takes no --stage or --percent/],
    [['rollback'], /a capability is required/],
    [['status', 'payments', 'auth'], /unexpected argument "auth"/],
    [['status', '--window', '0'], /--window must be a number from 1 to 3600, got "0"/],
  ])('%j: exit 2 with the reason and where help is', async (argv, reason) => {
    const result = await strangler(argv, env);
    expect(result.err).toMatch(reason);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/\(strangler (\w+ )?--help for usage\)/);
    expect(result.out).toBe('');
  });

  it.each([
    [{ EDGE_URL: 'ftp://edge' }, /EDGE_URL="ftp:\/\/edge": must be an http\(s\) URL/],
    [{ SYNC_URLS: 'nope' }, /SYNC_URLS="nope": must be a comma-separated list of http\(s\) URLs/],
    [{ STRANGLER_MAX_SYNC_LAG_SECONDS: '-3' }, /STRANGLER_MAX_SYNC_LAG_SECONDS="-3": must be positive/],
    [{ UNLEASH_URL: 'http://127.0.0.1:9' }, /UNLEASH_URL is set but UNLEASH_ADMIN_TOKEN is not/],
  ])('bad configuration %j: exit 2 naming the variable', async (extra, reason) => {
    const result = await strangler(['flip', 'payments', '--stage', 'live', '--percent', '5'], { ...env, ...extra });
    expect(result.err).toMatch(reason);
    expect(result.code).toBe(2);
  });

  it('with --json, a failure is also a JSON line on stdout', async () => {
    const result = await strangler(['flip', 'nope', '--stage', 'live', '--json'], env);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.out)).toEqual({ ok: false, error: 'unknown capability "nope": the manifests declare auth, payments', exitCode: 2 });
  });

  it('a flags file it cannot read or that is invalid: exit 1, nothing written', async () => {
    const missing = await strangler(['flip', 'payments', '--stage', 'live', '--percent', '5'], { ...env, FLAGS_FILE: path.join(dir, 'missing.json') });
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/cannot read the flags file .*missing\.json \(FLAGS_FILE\): ENOENT/);

    const invalid = path.join(dir, 'invalid.json');
    writeFileSync(invalid, JSON.stringify({ version: 2, features: [{ name: 'strangler.payments', enabled: true, strategies: [{ name: 'flexibleRollout', parameters: { rollout: '500' } }] }] }));
    const result = await strangler(['flip', 'payments', '--stage', 'live', '--percent', '5'], { ...env, FLAGS_FILE: invalid });
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/the flags file .*invalid\.json is invalid \(the edge keeps its last good version\): features\.0\.strategies\.0\.parameters\.rollout: must be a percentage/);
  });

  it('status --window says first that it measures the window to come (runbook §6.2 waited an hour unannounced)', async () => {
    const result = await strangler(['status', '--window', '1', '--json'], env);
    expect(result.err).toMatch(/^measuring the next 1 s of traffic \(until \d\d:\d\d:\d\d UTC\), then reporting; Ctrl-C stops\n/);
    expect(JSON.parse(result.out)).toMatchObject({ edge: { reachable: false } });
  });

  it('a manifests directory it cannot read: exit 1', async () => {
    const result = await strangler(['flip', 'payments', '--stage', 'live', '--percent', '5'], { ...env, MANIFESTS_DIR: path.join(dir, 'none') });
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/manifests in .*none \(MANIFESTS_DIR\) are invalid:\n {2}.*none: \(directory\): cannot read the manifests directory/);
  });

  it('an invalid manifest: exit 1, naming its file, capability and field, nothing written', async () => {
    const manifests = path.join(dir, 'bad-manifests');
    mkdirSync(manifests);
    writeFileSync(path.join(manifests, 'payments.json'), JSON.stringify({ name: 'payments', service: { url: 'http://x' }, routes: [], databases: { monolith: { url: 'm' }, service: { url: 's' } } }));
    const result = await strangler(['flip', 'payments', '--stage', 'live', '--percent', '5'], { ...env, MANIFESTS_DIR: manifests });
    expect(result.code).toBe(1);
    expect(result.err).toContain(`${path.join(manifests, 'payments.json')}: capability payments: routes: must list at least one route`);
  });

  it('the installed bin (cli/bin/strangler.js) runs the compiled CLI with the same exit codes', () => {
    const run = (args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'cli/bin/strangler.js'), ...args], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
    const help = run(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: strangler <command>/);
    const bad = run(['flip', 'payments', '--stage', 'sideways']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^strangler: unknown stage "sideways"/);
    const unreachable = run(['status', '--json']);
    expect(unreachable.status).toBe(1);
    expect(JSON.parse(unreachable.stdout)).toMatchObject({ edge: { reachable: false }, capabilities: [] });
  });
});
