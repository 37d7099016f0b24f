import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InMemStorageProvider, Unleash, UnleashEvents, type ClientFeaturesResponse, type Context, type Variant } from 'unleash-client';
import { createLogger } from '@strangler/kit';
import { buildFlagsDocument, rolloutOfDefinition, stageOfDefinition, type CapabilityFlagSetting, type FeatureDefinition } from '@strangler/cutover-model';
import { createFlagSource, evaluateCapability, MONOLITH_FALLBACK, type FlagClient, type FlagSource } from '../src/flags';
import { CachingFlagClient, cachePlanOf, withEvaluationCache } from '../src/flags/evaluation-cache';
import { eventually } from '../src/testing';

const logger = createLogger({ name: 'edge-test', level: 'silent' });
const FLAG = 'strangler.payments';

/** An offline unleash-client over the given definitions (the local flags file recipe), metrics counted but never sent. */
async function offlineUnleash(features: FeatureDefinition[]): Promise<Unleash> {
  const unleash = new Unleash({
    appName: 'evaluation-cache-test',
    url: 'http://flags.invalid/api/',
    refreshInterval: 0,
    metricsInterval: 3_600_000,
    storageProvider: new InMemStorageProvider(),
    bootstrap: { data: features as unknown as ClientFeaturesResponse['features'] },
    skipInstanceCountWarning: true,
  });
  unleash.on(UnleashEvents.Error, () => undefined);
  unleash.on(UnleashEvents.Warn, () => undefined);
  await new Promise<void>((resolve) => unleash.once(UnleashEvents.Ready, () => resolve()));
  return unleash;
}

const stageVariant = (stage: string, extra: Record<string, unknown> = {}) => ({ name: 'stage', weight: 1000, payload: { type: 'json', value: JSON.stringify({ stage }) }, ...extra });
const flexible = (rollout: number, parameters: Record<string, string> = {}, rest: Record<string, unknown> = {}) => ({
  name: 'flexibleRollout',
  constraints: [],
  parameters: { rollout: String(rollout), stickiness: 'default', groupId: 'payments', ...parameters },
  ...rest,
});
const feature = (name: string, strategies: unknown[], rest: Record<string, unknown> = {}) => ({ name, enabled: true, strategies, variants: [], ...rest }) as unknown as FeatureDefinition;

/** Definitions whose answer depends only on the context: every one must be cached and exactly right. */
const CACHEABLE: FeatureDefinition[] = [
  ...buildFlagsDocument([
    { capability: 'model-live-37', flag: 'model.live.37', enabled: true, stage: 'live', rollout: 37 },
    { capability: 'model-shadow-100', flag: 'model.shadow.100', enabled: true, stage: 'shadow', rollout: 100 },
    { capability: 'model-off', flag: 'model.off', enabled: false, stage: 'reads', rollout: 100 },
  ]).features,
  feature('named-stickiness', [
    flexible(50, { stickiness: 'userId' }, {
      variants: [
        { name: 'a', weight: 500, stickiness: 'userId', payload: { type: 'string', value: 'a' } },
        { name: 'b', weight: 500, stickiness: 'userId', payload: { type: 'string', value: 'b' } },
      ],
    }),
  ]),
  feature('constraints', [
    flexible(60, {}, {
      constraints: [
        { contextName: 'remoteAddress', operator: 'STR_STARTS_WITH', values: ['10.'], inverted: true },
        { contextName: 'userId', operator: 'NUM_LT', value: '150' },
      ],
      variants: [stageVariant('reads')],
    }),
    { name: 'userWithId', constraints: [], parameters: { userIds: 'u-7,u-190' } },
  ]),
  feature('remote-address', [{ name: 'remoteAddress', constraints: [], parameters: { IPs: '10.0.0.0/8,2001:db8::1' } }]),
  feature('feature-variants-with-overrides', [{ name: 'default', constraints: [], parameters: {} }], {
    variants: [
      { name: 'x', weight: 300, stickiness: 'default', overrides: [{ contextName: 'sessionId', values: ['s-3', 's-5'] }] },
      { name: 'y', weight: 700, stickiness: 'default' },
    ],
  }),
  feature('session-stickiness', [flexible(40, { stickiness: 'sessionId' }, { variants: [stageVariant('live', { stickiness: 'sessionId' })] })]),
];

/** Definitions unleash-client answers with randomness, time or outside data: never cached. */
const NOT_CACHEABLE: FeatureDefinition[] = [
  feature('random-stickiness', [flexible(50, { stickiness: 'random' })]),
  feature('random-variant', [flexible(100, {}, { variants: [{ name: 'a', weight: 500, stickiness: 'random' }, { name: 'b', weight: 500, stickiness: 'random' }] })]),
  feature('gradual-random', [{ name: 'gradualRolloutRandom', constraints: [], parameters: { percentage: '50' } }]),
  feature('dates', [flexible(100, {}, { constraints: [{ contextName: 'currentTime', operator: 'DATE_AFTER', value: '2020-01-01T00:00:00.000Z' }] })]),
  feature('segments', [flexible(100, {}, { segments: [1] })]),
  feature('dependent', [flexible(100)], { dependencies: [{ feature: 'model.live.37' }] }),
  feature('impressions', [flexible(100)], { impressionData: true }),
  feature('custom-strategy', [{ name: 'myOwnStrategy', constraints: [], parameters: {} }]),
  feature('custom-field-stickiness', [flexible(100, {}, { variants: [{ name: 'a', weight: 500, stickiness: 'tenantId' }, { name: 'b', weight: 500 }] })]),
];

const CONTEXTS: Context[] = [];
for (let i = 0; i < 200; i += 1) {
  const remoteAddress = ['127.0.0.1', '10.0.0.7', '2001:db8::1'][i % 3]!;
  CONTEXTS.push({ userId: `u-${i}`, sessionId: `s-${i}`, remoteAddress });
  CONTEXTS.push({ sessionId: `s-${i}`, remoteAddress });
  CONTEXTS.push({ userId: String(i), sessionId: `s-${i % 7}`, remoteAddress });
}
// Edge cases: an empty user id, no address, a property the edge never sets (not of the cached shape).
CONTEXTS.push({ userId: '', sessionId: 's-1', remoteAddress: '127.0.0.1' }, { userId: 'u-1' }, { sessionId: 's-1', properties: { tenantId: 't' } });
/** Neither id: unleash-client's `default` stickiness draws a random number for it. */
const RANDOM_CONTEXT: Context = { userId: '', sessionId: '', remoteAddress: '127.0.0.1' };

const plain = (variant: Variant) => JSON.parse(JSON.stringify(variant)) as unknown;

describe('the flag evaluation cache', () => {
  let unleash: Unleash;
  beforeAll(async () => {
    unleash = await offlineUnleash([...CACHEABLE, ...NOT_CACHEABLE]);
  });
  afterAll(() => unleash.destroy());

  it('answers exactly as unleash-client, first time and from memory, for every cacheable definition and context', () => {
    const cache = new CachingFlagClient(unleash as unknown as FlagClient, 1_000);
    for (const definition of CACHEABLE) {
      expect(cachePlanOf(definition)).not.toBeNull();
      for (const round of [1, 2]) {
        for (const context of CONTEXTS) {
          const expected = plain(unleash.getVariant(definition.name, context, MONOLITH_FALLBACK));
          expect({ round, flag: definition.name, context, answer: plain(cache.getVariant(definition.name, context, MONOLITH_FALLBACK)) }).toEqual({
            round,
            flag: definition.name,
            context,
            answer: expected,
          });
        }
      }
    }
  });

  it('serves repeated callers from memory, and never caches what unleash-client answers with chance, time or outside data', () => {
    const calls = new Map<string, number>();
    const counting: FlagClient = {
      getVariant: (name, context, fallback) => {
        calls.set(name, (calls.get(name) ?? 0) + 1);
        return unleash.getVariant(name, context, fallback);
      },
      getFeatureToggleDefinition: (name) => unleash.getFeatureToggleDefinition(name),
      getFeatureToggleDefinitions: () => unleash.getFeatureToggleDefinitions(),
    };
    const cache = new CachingFlagClient(counting, 1_000);
    const context = { userId: 'u-1', sessionId: 's-1', remoteAddress: '127.0.0.1' };
    for (const definition of [...CACHEABLE, ...NOT_CACHEABLE]) {
      for (let i = 0; i < 5; i += 1) cache.getVariant(definition.name, context, MONOLITH_FALLBACK);
    }
    for (const definition of CACHEABLE) expect([definition.name, calls.get(definition.name)]).toEqual([definition.name, 1]);
    for (const definition of NOT_CACHEABLE) {
      expect(cachePlanOf(definition)).toBeNull();
      expect([definition.name, calls.get(definition.name)]).toEqual([definition.name, 5]);
    }
    // A context for which the answer would be drawn at random is never cached either.
    calls.clear();
    for (let i = 0; i < 5; i += 1) cache.getVariant('model.live.37', RANDOM_CONTEXT, MONOLITH_FALLBACK);
    expect(calls.get('model.live.37')).toBe(5);
  });

  it('keeps unleash-client’s usage metrics identical (hits are counted as evaluations)', async () => {
    const definitions = CACHEABLE.slice(0, 4);
    const direct = await offlineUnleash(definitions);
    const cached = await offlineUnleash(definitions);
    try {
      const cache = new CachingFlagClient(cached as unknown as FlagClient, 1_000);
      for (let round = 0; round < 3; round += 1) {
        for (const definition of definitions) {
          for (const context of CONTEXTS.slice(0, 120)) {
            direct.getVariant(definition.name, context, MONOLITH_FALLBACK);
            cache.getVariant(definition.name, context, MONOLITH_FALLBACK);
          }
        }
      }
      const bucket = (u: Unleash) => (u as unknown as { metrics: { bucket: { toggles: unknown } } }).metrics.bucket.toggles;
      expect(bucket(cached)).toEqual(bucket(direct));
      expect(Object.keys(bucket(direct) as object)).toHaveLength(definitions.length);
    } finally {
      direct.destroy();
      cached.destroy();
    }
  });

  it('stays bounded: two generations of at most `capacity` contexts per flag, answers still exact', () => {
    const cache = new CachingFlagClient(unleash as unknown as FlagClient, 16);
    for (const context of CONTEXTS) {
      expect(plain(cache.getVariant('model.live.37', context, MONOLITH_FALLBACK))).toEqual(plain(unleash.getVariant('model.live.37', context, MONOLITH_FALLBACK)));
    }
    const entries = (cache as unknown as { flags: Map<string, { current: Map<unknown, unknown>; previous: Map<unknown, unknown> }> }).flags.get('model.live.37')!;
    expect(entries.current.size + entries.previous.size).toBeLessThanOrEqual(32);
  });
});

describe('invalidation: a flag change is seen by the very next evaluation', () => {
  it('drops what it remembered when the source says the definitions changed, even if edited in place', async () => {
    // A client whose definition object stays the same while what it answers changes (as unleash-client's
    // delta updates can do with segments): only the source's revision says so.
    const definition = CACHEABLE[0]!;
    let enabled = true;
    const client: FlagClient = {
      getVariant: (_name, _context, fallback) => (enabled ? { name: 'stage', enabled: true, feature_enabled: true, payload: { type: 'json' as never, value: '{"stage":"live"}' } } : { ...fallback, feature_enabled: false }),
      getFeatureToggleDefinition: () => definition,
      getFeatureToggleDefinitions: () => [definition],
    };
    let revision = 0;
    const source: FlagSource = {
      kind: 'local-file',
      client: () => client,
      revision: () => revision,
      status: () => ({ kind: 'local-file', ready: true, lastSuccessAt: undefined, errors: 0, lastError: undefined, where: 'test' }),
      whenReady: async () => true,
      close: async () => undefined,
    };
    const cached = withEvaluationCache(source, 100);
    const context = { userId: 'u-1', sessionId: 's-1', remoteAddress: '127.0.0.1' };
    const evaluate = () => cached.client()!.getVariant(definition.name, context, MONOLITH_FALLBACK).feature_enabled;
    expect(evaluate()).toBe(true);
    enabled = false;
    expect(evaluate()).toBe(true); // remembered: nothing said the flags changed
    revision += 1;
    expect(evaluate()).toBe(false);
  });

  it('drops a flag’s entries when its definition object is replaced', async () => {
    const [on, off] = [buildFlagsDocument([{ capability: 'payments', enabled: true, stage: 'live', rollout: 100 }]).features[0]!, buildFlagsDocument([{ capability: 'payments', enabled: true, stage: 'live', rollout: 0 }]).features[0]!];
    const first = await offlineUnleash([on]);
    const second = await offlineUnleash([off]);
    try {
      let current = first;
      const client: FlagClient = {
        getVariant: (name, context, fallback) => current.getVariant(name, context, fallback),
        getFeatureToggleDefinition: (name) => current.getFeatureToggleDefinition(name),
        getFeatureToggleDefinitions: () => current.getFeatureToggleDefinitions(),
      };
      const cache = new CachingFlagClient(client, 100);
      const context = { userId: 'u-1', sessionId: 's-1', remoteAddress: '127.0.0.1' };
      expect(cache.getVariant(FLAG, context, MONOLITH_FALLBACK).feature_enabled).toBe(true);
      current = second;
      expect(cache.getVariant(FLAG, context, MONOLITH_FALLBACK).feature_enabled).toBe(false);
    } finally {
      first.destroy();
      second.destroy();
    }
  });

  describe('through the edge’s own flag source (flags file)', () => {
    let dir: string;
    let file: string;
    let source: FlagSource;
    const write = (settings: CapabilityFlagSetting[]) => {
      writeFileSync(`${file}.tmp`, JSON.stringify(buildFlagsDocument(settings)));
      renameSync(`${file}.tmp`, file);
    };
    const users = Array.from({ length: 300 }, (_, i) => ({ userId: `user-${i}`, sessionId: `session-${i}`, remoteAddress: '127.0.0.1' }));
    const evaluateAll = () => Promise.all(users.map((context) => evaluateCapability(() => source.client(), FLAG, () => context)));
    const applied = (stage: CapabilityFlagSetting['stage'], rollout: number) =>
      eventually(() => {
        const definition = source.client()?.getFeatureToggleDefinition(FLAG);
        return rolloutOfDefinition(definition) === rollout && stageOfDefinition(definition) === stage;
      });

    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'edge-cache-'));
      file = path.join(dir, 'flags.json');
      write([{ capability: 'payments', enabled: true, stage: 'live', rollout: 100 }]);
      source = await createFlagSource({ FLAGS_FILE: file, FILE_WATCH_DEBOUNCE_MS: 10, UNLEASH_APP_NAME: 'edge-test', FLAG_CACHE_SIZE: 1_000 } as never, { logger });
    });
    afterAll(async () => {
      await source.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('caches (createFlagSource wraps the source), and a flip applies to every caller on the next request', async () => {
      expect(source.client()).toBeInstanceOf(CachingFlagClient);
      expect((await evaluateAll()).every((e) => e.inRollout && e.stage === 'live')).toBe(true);
      expect((await evaluateAll()).every((e) => e.inRollout && e.stage === 'live')).toBe(true); // from memory

      write([{ capability: 'payments', enabled: true, stage: 'live', rollout: 0 }]);
      await applied('live', 0);
      expect((await evaluateAll()).some((e) => e.inRollout)).toBe(false);

      write([{ capability: 'payments', enabled: true, stage: 'reads', rollout: 100 }]);
      await applied('reads', 100);
      expect((await evaluateAll()).every((e) => e.inRollout && e.stage === 'reads')).toBe(true);
    });
  });
});
