import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { interpolateEnv, loadManifests, parsePattern, resolveManifestUrls, type ManifestProblem } from '../src';

/**
 * Red team (#16): hostile and odd manifest directories. Each case is a probe of the report
 * (redteam-manifests): what an operator can write that the loader must refuse, naming the file.
 */
const manifest = (name: string, routes: unknown[], extra: Record<string, unknown> = {}) => ({
  name,
  service: { url: 'http://127.0.0.1:3001' },
  routes,
  databases: { monolith: { url: '.data/monolith.sqlite' }, service: { url: `.data/${name}.sqlite` } },
  ...extra,
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'redteam-manifests-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (file: string, content: unknown) => writeFileSync(path.join(dir, file), typeof content === 'string' ? content : JSON.stringify(content));
const problems = (): ManifestProblem[] => {
  const loaded = loadManifests(dir);
  return loaded.ok ? [] : loaded.problems;
};

describe('a request claimed by two capabilities is refused, whatever the spelling of its method list', () => {
  it.each<[string, unknown, unknown]>([
    ['"*" in one, GET in the other', { methods: '*', path: '/api/orders' }, { methods: 'GET', path: '/api/orders' }],
    ['GET in one, "*" in the other', { methods: 'GET', path: '/api/orders' }, { methods: '*', path: '/api/orders' }],
    ['HEAD in one, GET (which answers HEAD) in the other', { methods: 'HEAD', path: '/api/orders' }, { methods: 'GET', path: '/api/orders' }],
    ['case and trailing slash', { methods: 'POST', path: '/API/Orders/' }, { methods: 'post', path: '/api/orders' }],
    ['parameter names', { methods: 'GET', path: '/api/orders/:id' }, { methods: 'GET', path: '/api/orders/:orderId' }],
  ])('%s', (_label, first, second) => {
    write('alpha.json', manifest('alpha', [first]));
    write('beta.json', manifest('beta', [second]));
    const found = problems();
    expect(found).toEqual([expect.objectContaining({ file: path.join(dir, 'beta.json'), capability: 'beta', field: 'routes.0', message: expect.stringMatching(/already routed by .*alpha\.json/) })]);
  });

  it('the same path with disjoint methods is two capabilities’ routes, not a conflict', () => {
    write('alpha.json', manifest('alpha', [{ methods: 'GET', path: '/api/orders' }]));
    write('beta.json', manifest('beta', [{ methods: 'POST', path: '/api/orders' }]));
    expect(problems()).toEqual([]);
  });
});

describe('a route pattern the edge could never match is refused (it would leave the route on the monolith, flag or not)', () => {
  // The edge matches the canonical request path (edge/src/http/request-target.ts): unreserved
  // characters decoded, other escapes kept, non-ASCII refused. A literal not in that form never matches.
  it.each([
    ['/api/pay%6Dents', /percent-encoded/],
    ['/api/caf\u00e9', /not allowed in a path/],
    ['/api/a"b', /not allowed in a path/],
    ['/api/a\\b', /not allowed in a path/],
    ['/api/%zz', /percent-encoded/],
    ['/api/%2F', /percent-encoded/],
  ])('%s', (pattern, message) => {
    expect(parsePattern(pattern)).toEqual({ error: expect.stringMatching(message) });
  });

  it('an escape the canonical form keeps (upper or lower case) is accepted, and matches its canonical spelling', () => {
    expect(parsePattern('/api/caf%C3%A9')).toEqual({ segments: [{ kind: 'literal', value: 'api' }, { kind: 'literal', value: 'caf%c3%a9' }] });
    expect(parsePattern('/api/caf%c3%a9')).toEqual(parsePattern('/api/caf%C3%A9'));
  });
});

describe('odd files in the manifests directory', () => {
  it('a manifest whose name is not its file’s is refused, naming both', () => {
    write('payments.json', manifest('auth', [{ methods: 'GET', path: '/api/x' }]));
    expect(problems()).toEqual([expect.objectContaining({ field: 'name', message: expect.stringMatching(/"payments"/) })]);
  });

  it('a symlink aliasing another manifest is refused (its stem is not the name), not loaded twice', () => {
    write('alpha.json', manifest('alpha', [{ methods: 'GET', path: '/api/x' }]));
    symlinkSync(path.join(dir, 'alpha.json'), path.join(dir, 'beta.json'));
    expect(problems().map((p) => `${path.basename(p.file)} ${p.field}`)).toEqual(expect.arrayContaining(['beta.json name', 'beta.json flag']));
  });

  it('a dangling symlink makes the directory one named problem (the edge keeps its last good version)', () => {
    write('alpha.json', manifest('alpha', [{ methods: 'GET', path: '/api/x' }]));
    symlinkSync(path.join(dir, 'gone.json'), path.join(dir, 'beta.json'));
    expect(problems()).toEqual([expect.objectContaining({ file: dir, field: '(directory)' })]);
  });

  it('a half-written file is a problem naming it, not a capability with fewer routes', () => {
    const text = JSON.stringify(manifest('alpha', [{ methods: 'GET', path: '/api/x' }]));
    write('alpha.json', text.slice(0, Math.floor(text.length / 2)));
    expect(problems()).toEqual([expect.objectContaining({ file: path.join(dir, 'alpha.json'), field: '(file)', message: expect.stringMatching(/not valid JSON/) })]);
  });

  it('a vanished directory is one problem naming it', () => {
    rmSync(dir, { recursive: true });
    expect(problems()).toEqual([expect.objectContaining({ file: dir, field: '(directory)' })]);
  });

  it('a flag shared by two capabilities is refused, even when one takes it by default', () => {
    write('alpha.json', manifest('alpha', [{ methods: 'GET', path: '/api/a' }]));
    write('beta.json', manifest('beta', [{ methods: 'GET', path: '/api/b' }], { flag: 'strangler.alpha' }));
    expect(problems()).toEqual([expect.objectContaining({ capability: 'beta', field: 'flag' })]);
  });
});

describe('${VAR} in URLs', () => {
  it('a variable’s value is not interpolated again (no injection of another variable through it)', () => {
    expect(interpolateEnv('${A:-x}', { A: '${SECRET}', SECRET: 'leaked' })).toEqual({ value: '${SECRET}' });
  });

  it('a placeholder in the default is not expanded either', () => {
    expect(interpolateEnv('${A:-${SECRET}}', { SECRET: 'leaked' })).not.toEqual({ value: 'leaked' });
  });

  it('resolveManifestUrls throws naming the capability and field for an unset variable with no default', () => {
    const m = manifest('alpha', [{ methods: 'GET', path: '/a' }], { service: { url: '${NOPE}' } }) as never;
    expect(() => resolveManifestUrls(m, {})).toThrow(/capability alpha: service\.url: \$\{NOPE\}/);
  });
});

describe('writtenThrough routes are the monolith’s', () => {
  // The edge fences a writtenThrough route with its capability only when no capability routes it:
  // claimed by a route as well, the fence would silently not apply.
  it.each<[string, string, unknown]>([
    ['another capability’s route', 'beta', { methods: 'POST', path: '/api/orders/:id/checkout' }],
    ['its own capability’s route', 'alpha', { methods: '*', path: '/api/orders/:orderId/checkout' }],
  ])('one that is also %s is refused', (_label, owner, route) => {
    const writtenThrough = [{ methods: 'POST', path: '/api/orders/:id/checkout' }];
    write('alpha.json', manifest('alpha', owner === 'alpha' ? [{ methods: 'GET', path: '/api/a' }, route] : [{ methods: 'GET', path: '/api/a' }], { writtenThrough }));
    write('beta.json', manifest('beta', owner === 'beta' ? [route] : [{ methods: 'GET', path: '/api/b' }]));
    expect(problems()).toEqual([
      expect.objectContaining({ file: path.join(dir, 'alpha.json'), capability: 'alpha', field: 'writtenThrough.0', message: expect.stringMatching(new RegExp(`is routed by .*${owner}\\.json`)) }),
    ]);
  });
});

describe('a huge file in the manifests directory', () => {
  // The edge reads the directory on every change, on its event loop: a stray dump must not stall it.
  it('is a problem naming it and its size, not read', () => {
    write('alpha.json', manifest('alpha', [{ methods: 'GET', path: '/api/x' }]));
    write('dump.json', `{"name": "dump", "x": "${'x'.repeat(2 * 1024 * 1024)}"}`);
    expect(problems()).toEqual([expect.objectContaining({ file: path.join(dir, 'dump.json'), field: '(file)', message: expect.stringMatching(/bytes.*at most/) })]);
  });
});

describe('capability names the edge already uses for something else', () => {
  // Metrics label unmatched requests capability="none" and the monolith's upstream "monolith"; the
  // aggregated OpenAPI document keys the monolith as "monolith": a capability so named would be merged with them.
  it.each(['none', 'monolith', 'service'])('"%s" is refused', (name) => {
    write(`${name}.json`, manifest(name, [{ methods: 'GET', path: '/api/x' }]));
    expect(problems()).toEqual([expect.objectContaining({ field: 'name', message: expect.stringMatching(/reserved/) })]);
  });
});
