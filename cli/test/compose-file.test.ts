import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Router } from 'express';
import { Registry } from 'prom-client';
import { parse } from 'yaml';
import type { z } from 'zod';
import { createLogger, healthRoutes as kitHealthRoutes, holdsDevelopmentSecret, loadConfig } from '@strangler/kit';
import { monolithConfigSchema } from '@strangler/monolith';
import { authServiceConfigSchema } from '@strangler/auth-service';
import { paymentsServiceConfigSchema } from '@strangler/payments-service';
import { edgeConfigSchema, healthRoutes as edgeHealthRoutes } from '@strangler/edge';
import { dataConfigSchema, loadCapabilities, parseDataArgs } from '@strangler/data-engine';
import { formatManifestProblem, loadManifests } from '@strangler/cutover-model';
import { cliConfigSchema } from '../src/config';

/**
 * No Docker engine runs here, so docker-compose.yml and the Dockerfile are checked against the code's
 * real configuration instead: every variable a service is given exists in (and passes) that
 * deployable's own config schema, ports and health checks agree with PORT and with the endpoints the
 * code serves, commands name entry points that exist, start order waits on health, shared secrets and
 * URLs agree between services, and the image contains every workspace the deployables need.
 */
const ROOT = path.resolve(__dirname, '../..');
/** The capabilities that move data, as the engine loads them from the shipped manifests. */
const CAPABILITIES = loadCapabilities({ dir: path.join(ROOT, 'manifests'), env: {} });
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string | number | boolean>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test: string[] | string };
  restart?: string;
  profiles?: string[];
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;

/**
 * The operator's secrets, as `.env.example` asks for them: a value of their own for each (compose
 * itself refuses to start while one is missing: `${VAR:?message}`).
 */
const envExample = read('.env.example');
const operatorSecrets = new Map([...envExample.matchAll(/^([A-Z0-9_]+)=$/gm)].map((m) => [m[1]!, `operator-${m[1]!.toLowerCase().replace(/_/g, '-')}-5f1e9a7c3b2d4e6f8a0b`]));

/** Compose's `${VAR:-default}` and `${VAR:?message}` with only the operator's `.env` set (a bare `${VAR}` would be empty). */
function interpolate(value: string): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?:(:?[-?])([^}]*))?\}/g, (_, name: string, operator: string | undefined, rest: string | undefined) => {
    if (operator === undefined) throw new Error(`\${${name}} has no default: compose would pass an empty value`);
    if (operator.endsWith('?')) {
      const given = operatorSecrets.get(name);
      if (given === undefined) throw new Error(`\${${name}:?} is required but .env.example does not ask for it`);
      return given;
    }
    return rest ?? '';
  });
}

const envOf = (service: ComposeService): Record<string, string> =>
  Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]));

/** The full command line of a service: entrypoint + command. */
const argvOf = (service: ComposeService): string[] => [...(service.entrypoint ?? []), ...(service.command ?? [])];

type Kind = 'monolith' | 'auth' | 'payments' | 'edge' | 'data' | 'cli';

function kindOf(service: ComposeService): Kind | undefined {
  const argv = argvOf(service);
  if (argv[0] !== 'node') return undefined;
  const entry = argv[1];
  if (entry === 'monolith/dist/server.js') return 'monolith';
  if (entry === 'services/auth/dist/server.js') return 'auth';
  if (entry === 'services/payments/dist/server.js') return 'payments';
  if (entry === 'edge/dist/server.js') return 'edge';
  if (entry === 'cli/bin/strangler.js') return ['capture', 'backfill', 'sync', 'verify'].includes(argv[2] ?? '') ? 'data' : 'cli';
  throw new Error(`unknown entry point ${entry}`);
}

/** The `${VAR}` names of the upstream URLs in edge/routes.json and the manifests (the edge resolves them from its environment). */
const routesFile = JSON.parse(read('edge/routes.json')) as { monolith: { url: string } };
const manifests = loadManifests(path.join(ROOT, 'manifests'));
if (!manifests.ok) throw new Error(manifests.problems.map(formatManifestProblem).join('\n'));
const routesVariables = [routesFile.monolith.url, ...manifests.manifests.map((m) => m.manifest.service.url)].flatMap((url) =>
  [...url.matchAll(/\$\{([A-Z0-9_]+)(?::-[^}]*)?\}/g)].map((m) => m[1]!),
);

const keys = (schema: z.ZodObject) => Object.keys(schema.shape);
const SCHEMAS: Record<Kind, { schemas: z.ZodObject[]; extra?: string[] }> = {
  monolith: { schemas: [monolithConfigSchema] },
  auth: { schemas: [authServiceConfigSchema] },
  payments: { schemas: [paymentsServiceConfigSchema] },
  edge: { schemas: [edgeConfigSchema], extra: routesVariables },
  data: { schemas: [dataConfigSchema] },
  // The CLI reads its own settings, and the data engine's (the gates run verify in-process).
  cli: { schemas: [cliConfigSchema, dataConfigSchema] },
};

const apps = Object.entries(services).filter(([, s]) => kindOf(s) !== undefined) as Array<[string, ComposeService]>;
const healthPorts = (service: ComposeService) => {
  const test = Array.isArray(service.healthcheck?.test) ? service.healthcheck!.test.join(' ') : (service.healthcheck?.test ?? '');
  return [...test.matchAll(/http:\/\/(?:127\.0\.0\.1|localhost):(\d+)(\/[a-z/]+)/g)].map((m) => ({ port: m[1]!, path: m[2]! }));
};
const containerPorts = (service: ComposeService) => (service.ports ?? []).map((p) => p.split(':').at(-1)!);
/** The ports a service listens on: PORT (and the edge's admin port), or a data worker's --port. */
const listeningPorts = (service: ComposeService): string[] => {
  if (kindOf(service) === 'data') return [argvOf(service)[argvOf(service).indexOf('--port') + 1]!];
  const env = envOf(service);
  return [env.PORT!, ...(env.EDGE_ADMIN_PORT ? [env.EDGE_ADMIN_PORT] : [])];
};

function routerPaths(router: Router): string[] {
  return (router.stack as Array<{ route?: { path: string } }>).flatMap((layer) => (layer.route ? [layer.route.path] : []));
}

describe('docker-compose.yml against the code', () => {
  it('runs every deployable, a sync worker and a capture job per capability, the CLI, MySQL 8.4 and a real Unleash', () => {
    const kinds = apps.map(([, s]) => kindOf(s));
    for (const kind of ['monolith', 'auth', 'payments', 'edge', 'cli'] as const) expect(kinds).toContain(kind);
    for (const capability of CAPABILITIES.map((c) => c.name)) {
      expect(apps.some(([, s]) => argvOf(s).slice(2, 4).join(' ') === `sync ${capability}`)).toBe(true);
      expect(apps.some(([, s]) => argvOf(s).slice(2, 5).join(' ') === `capture install ${capability}`)).toBe(true);
    }
    expect(services.mysql?.image).toMatch(/^mysql:8\.4\.\d+$/);
    // The same Unleash the real-server tests run (edge's devDependency), so what is tested is what users deploy.
    const tested = (JSON.parse(read('edge/package.json')) as { devDependencies?: Record<string, string>; dependencies?: Record<string, string> });
    const version = tested.devDependencies?.['unleash-server'] ?? tested.dependencies?.['unleash-server'];
    expect(services.unleash?.image).toBe(`unleashorg/unleash-server:${version}`);
    expect(services['unleash-db']?.image).toMatch(/^postgres:15(\.\d+)?$/);
  });

  it('gives the auth service a Redis for its login throttle, so every instance counts the same attempts', () => {
    expect(services.redis?.image).toMatch(/^redis:7\.\d+\.\d+$/);
    const auth = apps.find(([, s]) => kindOf(s) === 'auth')!;
    expect(envOf(auth[1]).AUTH_THROTTLE_REDIS_URL).toBe('redis://redis:6379');
    expect(auth[1].depends_on).toHaveProperty('redis');
  });

  it('pins every image it pulls (no latest, no bare names)', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.build) continue;
      expect([name, service.image]).toEqual([name, expect.stringMatching(/^[a-z0-9/._-]+:\d[\w.-]*$/)]);
    }
  });

  it.each(apps)('%s: every variable exists in its deployable’s config schema, and the values pass it', (name, service) => {
    const kind = kindOf(service)!;
    const env = envOf(service);
    const known = new Set([...SCHEMAS[kind].schemas.flatMap(keys), ...(SCHEMAS[kind].extra ?? [])]);
    expect(Object.keys(env).filter((key) => !known.has(key))).toEqual([]);
    for (const schema of SCHEMAS[kind].schemas) expect(() => loadConfig(schema, env)).not.toThrow();
  });

  it.each(apps)('%s: its command names an entry point that exists', (name, service) => {
    const [, entry, ...args] = argvOf(service);
    expect(existsSync(path.join(ROOT, entry!))).toBe(entry!.includes('/dist/') ? existsSync(path.join(ROOT, entry!)) : true);
    if (entry!.includes('/dist/')) {
      // Built by `tsc -b` (npm test builds first); the source it comes from must exist.
      expect(existsSync(path.join(ROOT, entry!.replace('/dist/', '/src/').replace(/\.js$/, '.ts')))).toBe(true);
    } else {
      expect(read(entry!)).toContain("require('../dist/main.js')");
      expect(existsSync(path.join(ROOT, 'cli/src/main.ts'))).toBe(true);
      if (kindOf(service) === 'data') expect(parseDataArgs(args, CAPABILITIES)).toMatchObject({ kind: 'run' });
    }
  });

  it.each(apps.filter(([, s]) => s.healthcheck))('%s: its health check hits a health endpoint the code serves, on the port it listens on', (name, service) => {
    const kind = kindOf(service)!;
    const checks = healthPorts(service);
    expect(checks).toHaveLength(1);
    const { port, path: endpoint } = checks[0]!;
    const listening = kind === 'data' ? argvOf(service)[argvOf(service).indexOf('--port') + 1] : envOf(service).PORT;
    expect(port).toBe(listening);
    const served =
      kind === 'edge'
        ? routerPaths(edgeHealthRoutes({ routes: () => 'ok', flags: () => 'ok' }))
        : routerPaths(kitHealthRoutes({ checks: [], registry: new Registry(), logger: createLogger({ name: 'test', level: 'silent' }) }));
    expect(served).toContain(endpoint);
    expect(endpoint).toMatch(/^\/health\/(ready|live)$/);
  });

  it.each(apps.filter(([, s]) => s.ports))('%s: publishes the ports it listens on', (name, service) => {
    expect(containerPorts(service)).toEqual(listeningPorts(service));
  });

  it('publishes only the edge’s public port on every interface; everything else on the host’s loopback only', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const published of service.ports ?? []) {
        const open = !published.startsWith('127.0.0.1:');
        expect([name, published, open]).toEqual([name, published, name === 'edge' && published === '8080:8080']);
      }
    }
  });

  it('starts in order: every dependency waits for health, or for a one-shot job to finish', () => {
    for (const [name, service] of Object.entries(services)) {
      const deps = service.depends_on ?? {};
      expect([name, Array.isArray(deps)]).toEqual([name, false]);
      for (const [dep, spec] of Object.entries(deps as Record<string, { condition?: string }>)) {
        const target = services[dep];
        expect([name, dep, Boolean(target)]).toEqual([name, dep, true]);
        if (spec.condition === 'service_healthy') expect([dep, Boolean(target!.healthcheck)]).toEqual([dep, true]);
        else expect([name, dep, spec.condition, target!.restart]).toEqual([name, dep, 'service_completed_successfully', 'no']);
      }
    }
    // Capture needs both sides' schemas (each deployable migrates at start); sync needs capture.
    for (const capability of CAPABILITIES) {
      const [captureName] = apps.find(([, s]) => argvOf(s).slice(2, 5).join(' ') === `capture install ${capability.name}`)!;
      const capture = services[captureName]!;
      const serviceName = capability.name;
      expect(Object.keys(capture.depends_on!)).toEqual(expect.arrayContaining(['monolith', serviceName]));
      const [, sync] = apps.find(([, s]) => argvOf(s).slice(2, 4).join(' ') === `sync ${capability.name}`)!;
      expect(sync.depends_on).toEqual({ [captureName]: { condition: 'service_completed_successfully' } });
    }
  });

  it('the edge is given every ${VAR} of routes.json, and its upstreams are the services’ own ports', () => {
    const [, edge] = apps.find(([, s]) => kindOf(s) === 'edge')!;
    const env = envOf(edge);
    expect(routesVariables.length).toBeGreaterThan(0);
    for (const variable of routesVariables) expect([variable, env[variable]]).toEqual([variable, expect.stringMatching(/^http:\/\//)]);
    const portOf = (kind: Kind) => envOf(apps.find(([, s]) => kindOf(s) === kind)![1]).PORT;
    const hostOf = (kind: Kind) => apps.find(([, s]) => kindOf(s) === kind)![0];
    expect(env.MONOLITH_URL).toBe(`http://${hostOf('monolith')}:${portOf('monolith')}`);
    expect(env.AUTH_SERVICE_URL).toBe(`http://${hostOf('auth')}:${portOf('auth')}`);
    expect(env.PAYMENTS_SERVICE_URL).toBe(`http://${hostOf('payments')}:${portOf('payments')}`);
  });

  it('the edge, the data workers and the CLI read the same manifests: ./manifests mounted read-only, MANIFESTS_DIR naming it', () => {
    const readers = apps.filter(([, s]) => ['edge', 'data', 'cli'].includes(kindOf(s)!));
    expect(readers.length).toBeGreaterThan(2);
    for (const [name, service] of readers) {
      expect([name, envOf(service).MANIFESTS_DIR]).toEqual([name, '/app/manifests']);
      expect([name, service.volumes]).toEqual([name, expect.arrayContaining(['./manifests:/app/manifests:ro'])]);
    }
  });

  it('every peer and upstream URL names a service of this file on the port it listens on', () => {
    const listening = new Map<string, string[]>();
    for (const [name, service] of apps) listening.set(name, listeningPorts(service));
    listening.set('unleash', ['4242']);
    for (const [name, service] of apps) {
      const env = envOf(service);
      for (const key of ['AUTH_PEERS', 'SYNC_URLS', 'EDGE_URL', 'UNLEASH_URL', ...routesVariables]) {
        for (const url of (env[key] ?? '').split(',').filter(Boolean)) {
          const { hostname, port } = new URL(url);
          expect([name, key, url, listening.get(hostname)?.includes(port)]).toEqual([name, key, url, true]);
        }
      }
    }
    // The CLI reads the edge's admin endpoints and metrics: on the admin port, where the edge serves them.
    const [, cli] = apps.find(([, s]) => kindOf(s) === 'cli')!;
    const [, edge] = apps.find(([, s]) => kindOf(s) === 'edge')!;
    expect(new URL(envOf(cli).EDGE_URL!).port).toBe(envOf(edge).EDGE_ADMIN_PORT);
  });

  it('shared secrets and databases agree between the services that share them', () => {
    const envs = Object.fromEntries(apps.map(([name, s]) => [name, envOf(s)]));
    const byKind = (kind: Kind) => apps.filter(([, s]) => kindOf(s) === kind).map(([name]) => envs[name]!);
    const internal = new Set(['monolith', 'auth', 'payments', 'edge'].flatMap((kind) => byKind(kind as Kind).map((e) => e.INTERNAL_API_TOKEN)));
    expect(internal.size).toBe(1);
    const [cli] = byKind('cli');
    const [edge] = byKind('edge');
    expect(cli!.EDGE_ADMIN_TOKEN).toBe(edge!.EDGE_ADMIN_TOKEN);
    const unleash = envOf(services.unleash!);
    expect(unleash.INIT_ADMIN_API_TOKENS!.split(',')).toContain(cli!.UNLEASH_ADMIN_TOKEN);
    expect(unleash.INIT_BACKEND_API_TOKENS!.split(',')).toContain(edge!.UNLEASH_API_TOKEN);
    // The data engine works on the databases the deployables own.
    for (const data of [...byKind('data'), cli!]) {
      expect(data.MONOLITH_DATABASE_URL).toBe(byKind('monolith')[0]!.DATABASE_URL);
      expect(data.AUTH_DATABASE_URL).toBe(byKind('auth')[0]!.DATABASE_URL);
      expect(data.PAYMENTS_DATABASE_URL).toBe(byKind('payments')[0]!.DATABASE_URL);
    }
  });

  it('the MySQL init script creates every database the services use, and grants their user the operator’s password', () => {
    expect(services.mysql!.volumes).toContain('./scripts/docker/mysql-init.sh:/docker-entrypoint-initdb.d/01-databases.sh:ro');
    // The image's entrypoint sources *.sh init files with its docker_process_sql (the SQL on stdin).
    const runInit = (env: Record<string, string>) =>
      spawnSync('bash', ['-ec', 'docker_process_sql() { cat; }; source "$1"', 'init', path.join(ROOT, 'scripts/docker/mysql-init.sh')], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
    const mysqlEnv = envOf(services.mysql!);
    const init = runInit({ STRANGLER_DB_PASSWORD: mysqlEnv.STRANGLER_DB_PASSWORD! });
    expect(init.status).toBe(0);
    for (const [, service] of apps.filter(([, s]) => ['monolith', 'auth', 'payments'].includes(kindOf(s)!))) {
      const url = new URL(envOf(service).DATABASE_URL!);
      const database = url.pathname.slice(1);
      expect(init.stdout).toMatch(new RegExp(`CREATE DATABASE IF NOT EXISTS ${database} `));
      expect(init.stdout).toContain(`GRANT ALL PRIVILEGES ON ${database}.* TO '${url.username}'@'%'`);
      expect(init.stdout).toContain(`CREATE USER IF NOT EXISTS '${url.username}'@'%' IDENTIFIED BY '${decodeURIComponent(url.password)}'`);
    }
    // No password, or one that could break out of the SQL string or the URLs: refused.
    for (const bad of ['', "x'; DROP USER root; --", 'a b']) expect([bad, runInit({ STRANGLER_DB_PASSWORD: bad }).status]).toEqual([bad, 1]);
  });

  it('ships no secret: every one is the operator’s (${VAR:?}), listed in .env.example, never a default', () => {
    const text = read('docker-compose.yml');
    // A variable that reads as a secret never falls back to a value of the file's own.
    for (const [, name] of text.matchAll(/\$\{([A-Z0-9_]+):-/g)) expect([name, /PASSWORD|SECRET|TOKEN|KEY/.test(name!)]).toEqual([name, false]);
    const required = new Set([...text.matchAll(/\$\{([A-Z0-9_]+):\?/g)].map((m) => m[1]!));
    expect([...required].sort()).toEqual([...operatorSecrets.keys()].sort());
    for (const [name, service] of Object.entries(services)) {
      for (const [variable, value] of Object.entries(envOf(service))) expect([name, variable, holdsDevelopmentSecret(value)]).toEqual([name, variable, false]);
      // Development mode is never compose's default.
      expect([name, envOf(service).STRANGLER_DEV_MODE]).toEqual([name, undefined]);
    }
    expect(read('.gitignore').split('\n')).toContain('.env');
    expect(read('.dockerignore').split('\n')).toContain('.env');
  });

  it('runs the edge with its admin endpoints on their own port, behind its admin token, trusting no forwarded headers', () => {
    const [, edge] = apps.find(([, s]) => kindOf(s) === 'edge')!;
    const config = loadConfig(edgeConfigSchema, envOf(edge));
    expect(config.EDGE_ADMIN_PORT).toBeDefined();
    expect(config.EDGE_ADMIN_PORT).not.toBe(config.PORT);
    expect(config.EDGE_ADMIN_TOKEN).toBe(operatorSecrets.get('EDGE_ADMIN_TOKEN'));
    expect(config.TRUST_PROXY).toBe('false');
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const copies = [...dockerfile.matchAll(/^COPY (?!--from)(.+)$/gm)].map((m) => m[1]!.trim().split(/\s+/));
  const rootPackage = JSON.parse(read('package.json')) as { workspaces: string[] };
  const manifests = new Map(rootPackage.workspaces.map((dir) => [JSON.parse(read(`${dir}/package.json`)).name as string, { dir, json: JSON.parse(read(`${dir}/package.json`)) }]));
  const DEPLOYABLES = ['monolith', 'services/auth', 'services/payments', 'edge', 'cli'];

  /** The deployables and every workspace they depend on (transitively). */
  function needed(): string[] {
    const result = new Set<string>();
    const visit = (dir: string) => {
      if (result.has(dir)) return;
      result.add(dir);
      const json = [...manifests.values()].find((m) => m.dir === dir)!.json as { dependencies?: Record<string, string> };
      for (const dep of Object.keys(json.dependencies ?? {})) {
        const workspace = manifests.get(dep);
        if (workspace) visit(workspace.dir);
      }
    };
    DEPLOYABLES.forEach(visit);
    return [...result].sort();
  }

  it('copies the manifest and the sources of every workspace the deployables need', () => {
    expect(needed()).toEqual(['api/auth', 'api/payments', 'cli', 'cutover-model', 'data-engine', 'edge', 'kit', 'migrations', 'monolith', 'services/auth', 'services/payments']);
    // The capability manifests: MANIFESTS_DIR's default in the image.
    expect(copies).toContainEqual(['manifests', 'manifests']);
    for (const dir of needed()) {
      expect(copies).toContainEqual([`${dir}/package.json`, `${dir}/`]);
      expect(copies).toContainEqual([dir, dir]);
    }
  });

  it('installs with every workspace manifest the lockfile names, then builds the deployables’ projects', () => {
    for (const dir of rootPackage.workspaces) expect(copies).toContainEqual([`${dir}/package.json`, `${dir}/`]);
    expect(copies).toContainEqual(['package.json', 'package-lock.json', 'tsconfig.base.json', 'tsconfig.json', './']);
    const build = /^RUN npx tsc -b (.+?) &&/m.exec(dockerfile)?.[1]?.split(/\s+/) ?? [];
    expect(build.sort()).toEqual([...DEPLOYABLES].sort());
    // A project's references are built with it: each one referenced must be copied too.
    for (const dir of build) {
      const tsconfig = JSON.parse(read(`${dir}/tsconfig.json`).replace(/\/\/.*$/gm, '')) as { references?: Array<{ path: string }> };
      for (const reference of tsconfig.references ?? []) expect(needed()).toContain(path.normalize(path.join(dir, reference.path)));
    }
  });

  it('the build context leaves out what would break or bloat the build', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
    for (const pattern of ['node_modules', '**/node_modules', '**/dist', '**/*.tsbuildinfo', '.git', '.data']) expect(ignored).toContain(pattern);
  });

  it('the runtime user can write where the deployables write by default (.data)', () => {
    expect(dockerfile).toMatch(/RUN mkdir -p \/app\/\.data && chown node:node \/app\/\.data\nUSER node/);
  });
});
