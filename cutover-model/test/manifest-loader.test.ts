import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultManifestsDir, formatManifestProblem, loadManifests, manifestFlag, parseManifest, resolveDatabaseUrls, resolveManifestUrls, type InterpolatedField, type ManifestProblem } from '../src';

const valid = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  service: { url: `\${${name.toUpperCase()}_URL:-http://127.0.0.1:3001}` },
  routes: [{ methods: 'GET', path: `/api/${name}` }],
  databases: { monolith: { url: '.data/monolith.sqlite' }, service: { url: `.data/${name}.sqlite` } },
  ...extra,
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'manifests-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (file: string, content: unknown) => writeFileSync(path.join(dir, file), typeof content === 'string' ? content : JSON.stringify(content));
const problemsOf = (env?: Record<string, string>): ManifestProblem[] => {
  const loaded = loadManifests(dir, env ? { env } : {});
  return loaded.ok ? [] : loaded.problems;
};

describe('parseManifest: every invalid manifest is a problem naming file, capability and field', () => {
  const file = 'manifests/pay.json';
  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['an unknown key', { servce: {} }, '(file)', /servce/],
    ['a name that is not a lowercase word', { name: 'Pay' }, 'name', /lowercase words/],
    ['a flag Unleash cannot name', { flag: 'has space' }, 'flag', /Unleash flag name/],
    ['no service URL', { service: {} }, 'service.url', /expected string/],
    ['a negative timeout', { service: { url: 'http://x', timeouts: { connectMs: -1 } } }, 'service.timeouts.connectMs', /too small|>0/],
    ['no routes', { routes: [] }, 'routes', /at least one route/],
    ['a path without a leading slash', { routes: [{ methods: 'GET', path: 'api/x' }] }, 'routes.0.path', /must start with \//],
    ['a * in the middle', { routes: [{ methods: 'GET', path: '/api/*/x' }] }, 'routes.0.path', /only allowed as the last segment/],
    ['a bad method', { routes: [{ methods: 'G T', path: '/api/x' }] }, 'routes.0.methods', /HTTP method/],
    ['an empty method list', { routes: [{ methods: [], path: '/api/x' }] }, 'routes.0.methods', />=1/],
    ['a bad shadow pointer', { routes: [{ methods: 'GET', path: '/api/x', shadow: { ignore: ['x'] } }] }, 'routes.0.shadow.ignore.0', /JSON pointer/],
    ['a bad rate-limit class', { routes: [{ methods: 'GET', path: '/api/x', rateLimit: 'Login!' }] }, 'routes.0.rateLimit', /class of rateLimits/],
    ['a shadow rule on a written-through route', { writtenThrough: [{ methods: 'POST', path: '/x', shadow: { ignore: [] } }] }, 'writtenThrough.0', /shadow/],
    ['a capability-wide shadow pointer that is not one', { shadow: { ignore: ['nope'] } }, 'shadow.ignore.0', /JSON pointer/],
    ['no service database', { databases: { monolith: { url: 'm' } } }, 'databases.service', /expected object/],
    ['an empty data section', { data: { mappings: [] } }, 'data.mappings', /at least one mapping/],
    ['a mapping reference of neither kind', { data: { mappings: [{ path: 'x.json' }] } }, 'data.mappings.0', /"file"|"module"/],
    ['an invariant without its export', { data: { mappings: [{ file: 'm.json' }], invariants: [{ module: './x' }] } }, 'data.invariants.0.export', /expected string/],
  ])('%s', (_what, change, field, message) => {
    const result = parseManifest(JSON.stringify({ ...valid('pay'), ...change }), file);
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    const capability = typeof change.name === 'string' ? change.name : 'pay';
    expect(problems).toContainEqual({ file, capability, field, message: expect.stringMatching(message) });
  });

  it('a file that is not JSON names the file as a whole', () => {
    expect(parseManifest('{"name":', file)).toEqual({ ok: false, problems: [{ file, field: '(file)', message: expect.stringMatching(/^not valid JSON/) }] });
  });

  it('formats a problem as file: capability: field: message', () => {
    expect(formatManifestProblem({ file, capability: 'pay', field: 'routes.2.path', message: 'must start with /' })).toBe('manifests/pay.json: capability pay: routes.2.path: must start with /');
    expect(formatManifestProblem({ file, field: '(file)', message: 'not valid JSON' })).toBe('manifests/pay.json: (file): not valid JSON');
  });

  it('upper-cases methods and defaults writtenThrough, and the flag to strangler.<name>', () => {
    const result = parseManifest(JSON.stringify(valid('pay', { routes: [{ methods: ['get', 'Post'], path: '/api/pay' }] })), file);
    expect(result.ok && result.manifest.routes[0]!.methods).toEqual(['GET', 'POST']);
    expect(result.ok && result.manifest.writtenThrough).toEqual([]);
    expect(result.ok && manifestFlag(result.manifest)).toBe('strangler.pay');
  });
});

describe('loadManifests: the directory, checked file by file and together', () => {
  it('loads *.json sorted by name, ignoring subdirectories, dotfiles and other files', () => {
    write('payments.json', valid('payments'));
    write('auth.json', valid('auth'));
    write('.auth.json', '{');
    write('notes.txt', 'not a manifest');
    mkdirSync(path.join(dir, 'mappings'));
    write('mappings/users.json', '{"not": "a manifest"}');
    const loaded = loadManifests(dir);
    expect(loaded.ok && loaded.manifests.map((m) => [path.basename(m.file), m.dir, m.manifest.name])).toEqual([
      ['auth.json', dir, 'auth'],
      ['payments.json', dir, 'payments'],
    ]);
  });

  it('an empty directory is no capabilities; a missing one is a problem', () => {
    expect(loadManifests(dir)).toEqual({ ok: true, manifests: [] });
    expect(loadManifests(path.join(dir, 'nope'))).toEqual({ ok: false, problems: [{ file: path.join(dir, 'nope'), field: '(directory)', message: expect.stringMatching(/cannot read/) }] });
  });

  it('a name that is not the file stem', () => {
    write('payments.json', valid('billing'));
    expect(problemsOf()).toEqual([{ file: path.join(dir, 'payments.json'), capability: 'billing', field: 'name', message: 'must be the file\'s name without .json ("payments")' }]);
  });

  it('two manifests with one flag, and two routes claiming one method and path shape', () => {
    write('auth.json', valid('auth', { flag: 'shared', routes: [{ methods: 'GET', path: '/api/x/:id' }] }));
    write('payments.json', valid('payments', { flag: 'shared', routes: [{ methods: ['POST', 'GET'], path: '/api/x/:other' }] }));
    expect(problemsOf()).toEqual([
      { file: path.join(dir, 'payments.json'), capability: 'payments', field: 'flag', message: `flag shared is already the flag of ${path.join(dir, 'auth.json')} (capability auth)` },
      { file: path.join(dir, 'payments.json'), capability: 'payments', field: 'routes.0', message: `GET /api/x/:other is already routed by ${path.join(dir, 'auth.json')} routes.0` },
    ]);
  });

  it('a default flag equal to another capability\'s explicit one', () => {
    write('auth.json', valid('auth', { flag: 'strangler.payments' }));
    write('payments.json', valid('payments'));
    expect(problemsOf().map((p) => [p.capability, p.field])).toEqual([['payments', 'flag']]);
  });

  it('two manifests naming one capability', () => {
    write('auth.json', valid('auth'));
    write('auth2.json', valid('auth', { routes: [{ methods: 'GET', path: '/api/other' }] }));
    expect(problemsOf().map((p) => [path.basename(p.file), p.capability, p.field, p.message])).toEqual([
      ['auth2.json', 'auth', 'name', 'must be the file\'s name without .json ("auth2")'],
      ['auth2.json', 'auth', 'name', `capability auth is already declared by ${path.join(dir, 'auth.json')}`],
      ['auth2.json', 'auth', 'flag', `flag strangler.auth is already the flag of ${path.join(dir, 'auth.json')} (capability auth)`],
    ]);
  });

  it('an unset ${VAR} without default, when loaded against an environment', () => {
    write('auth.json', valid('auth', { service: { url: '${AUTH_URL}' }, databases: { monolith: { url: '${M:-m.sqlite}' }, service: { url: '${AUTH_DB}' } } }));
    expect(problemsOf({})).toEqual([
      { file: path.join(dir, 'auth.json'), capability: 'auth', field: 'service.url', message: '${AUTH_URL} is not set and has no default' },
      { file: path.join(dir, 'auth.json'), capability: 'auth', field: 'databases.service.url', message: '${AUTH_DB} is not set and has no default' },
    ]);
    expect(problemsOf({ AUTH_URL: 'http://a', AUTH_DB: 'a.sqlite' })).toEqual([]);
  });

  it('checks only the ${VAR} fields the reader uses: the edge needs no database URL, the engine no service URL', () => {
    write('auth.json', valid('auth', { service: { url: '${AUTH_URL}' }, databases: { monolith: { url: '${M:-m.sqlite}' }, service: { url: '${AUTH_DB}' } } }));
    const fieldsOf = (fields: readonly InterpolatedField[]) => {
      const loaded = loadManifests(dir, { env: {}, fields });
      return loaded.ok ? [] : loaded.problems.map((p) => p.field);
    };
    expect(fieldsOf(['service.url'])).toEqual(['service.url']);
    expect(fieldsOf(['databases.monolith.url', 'databases.service.url'])).toEqual(['databases.service.url']);
    expect(fieldsOf([])).toEqual([]);
    const manifest = (loadManifests(dir) as Extract<ReturnType<typeof loadManifests>, { ok: true }>).manifests[0]!.manifest;
    expect(resolveDatabaseUrls(manifest, { AUTH_DB: 'a.sqlite' })).toEqual({ monolith: 'm.sqlite', service: 'a.sqlite' });
  });

  it('reports the problems of every file at once; any problem loads nothing', () => {
    write('auth.json', valid('auth', { routes: [] }));
    write('payments.json', '{');
    write('search.json', valid('search'));
    const loaded = loadManifests(dir);
    expect(loaded.ok).toBe(false);
    expect(loaded.ok ? [] : loaded.problems.map((p) => `${path.basename(p.file)} ${p.field}`)).toEqual(['auth.json routes', 'payments.json (file)']);
  });
});

describe('resolveManifestUrls', () => {
  it('resolves the service and database URLs, and throws for a placeholder without a value', () => {
    const result = parseManifest(JSON.stringify(valid('auth', { databases: { monolith: { url: '${M:-m.sqlite}' }, service: { url: '${A}' } } })), 'auth.json');
    if (!result.ok) throw new Error('expected a valid manifest');
    expect(resolveManifestUrls(result.manifest, { AUTH_URL: 'http://auth:3001', A: 'mysql://a/b' })).toEqual({
      serviceUrl: 'http://auth:3001',
      databases: { monolith: 'm.sqlite', service: 'mysql://a/b' },
    });
    expect(() => resolveManifestUrls(result.manifest, {})).toThrow('capability auth: databases.service.url: ${A} is not set and has no default');
  });
});

describe('the manifests the repository ships', () => {
  it('load from the default directory, with the capabilities, flags and URLs of today', () => {
    const loaded = loadManifests(defaultManifestsDir(), { env: {} });
    if (!loaded.ok) throw new Error(loaded.problems.map(formatManifestProblem).join('\n'));
    expect(loaded.manifests.map(({ manifest }) => [manifest.name, manifestFlag(manifest), resolveManifestUrls(manifest, {})])).toEqual([
      ['auth', 'strangler.auth', { serviceUrl: 'http://127.0.0.1:3001', databases: { monolith: '.data/monolith.sqlite', service: '.data/auth.sqlite' } }],
      ['payments', 'strangler.payments', { serviceUrl: 'http://127.0.0.1:3002', databases: { monolith: '.data/monolith.sqlite', service: '.data/payments.sqlite' } }],
    ]);
  });
});
