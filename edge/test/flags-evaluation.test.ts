import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '@strangler/kit';
import type { Context } from 'unleash-client';
import { buildFlagsDocument, rolloutOfDefinition, stageOfDefinition, type CapabilityFlagSetting } from '@strangler/cutover-model';
import { createLocalFileFlagSource, evaluateCapability, type FlagClient, type FlagSource } from '../src/flags';
import { addressHash } from '../src/identity/request-identity';
import { eventually } from '../src/testing';

const logger = createLogger({ name: 'edge-test', level: 'silent' });
const USERS = Array.from({ length: 2000 }, (_, i) => `user-${i}-${(i * 7919) % 1000}`);

describe('capability flags evaluated by the real unleash-client (offline, from a flags file)', () => {
  let dir: string;
  let file: string;
  let source: FlagSource;
  const write = (settings: CapabilityFlagSetting[]) => {
    writeFileSync(`${file}.tmp`, JSON.stringify(buildFlagsDocument(settings)));
    renameSync(`${file}.tmp`, file);
  };
  const payments = (stage: CapabilityFlagSetting['stage'], rollout: number, enabled = true): CapabilityFlagSetting[] => [
    { capability: 'payments', enabled, stage, rollout },
  ];
  const evaluate = (context: Context) => evaluateCapability(() => source.client(), 'strangler.payments', async () => context);
  const inRolloutSet = async () => {
    const members = new Set<string>();
    for (const userId of USERS) if ((await evaluate({ userId })).inRollout) members.add(userId);
    return members;
  };
  const switchTo = async (stage: CapabilityFlagSetting['stage'], rollout: number) => {
    write(payments(stage, rollout));
    await eventually(() => {
      const definition = source.client()?.getFeatureToggleDefinition('strangler.payments');
      return rolloutOfDefinition(definition) === rollout && stageOfDefinition(definition) === stage;
    });
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'edge-flags-'));
    file = path.join(dir, 'flags.json');
    write(payments('live', 0));
    source = await createLocalFileFlagSource({ filePath: file, debounceMs: 10, logger });
  });
  afterAll(async () => {
    await source.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('returns the strategy variant payload (the stage) through getVariant for users in the rollout', async () => {
    await switchTo('reads', 100);
    expect(await evaluate({ userId: 'u-1' })).toEqual({ stage: 'reads', inRollout: true, reason: 'in-rollout' });
  });

  it('keeps users sticky, and raising the percentage only ever moves users to the service', async () => {
    let previous = new Set<string>();
    for (const rollout of [0, 5, 10, 25, 50, 75, 100]) {
      await switchTo('live', rollout);
      const members = await inRolloutSet();
      const again = await inRolloutSet();
      expect([...again]).toEqual([...members]);
      for (const userId of previous) expect(members.has(userId)).toBe(true);
      expect(Math.abs(members.size / USERS.length - rollout / 100)).toBeLessThan(0.04);
      previous = members;
    }
    expect(previous.size).toBe(USERS.length);
  });

  it('lowering the percentage moves users back the same way (and only those)', async () => {
    await switchTo('live', 50);
    const at50 = await inRolloutSet();
    await switchTo('live', 20);
    const at20 = await inRolloutSet();
    for (const userId of at20) expect(at50.has(userId)).toBe(true);
    await switchTo('live', 50);
    expect([...(await inRolloutSet())]).toEqual([...at50]);
  });

  it('buckets anonymous callers by their address hash (default stickiness uses sessionId), stably', async () => {
    await switchTo('live', 50);
    const addresses = Array.from({ length: 400 }, (_, i) => `10.0.${Math.floor(i / 250)}.${i % 250}`);
    const results = await Promise.all(addresses.map((a) => evaluate({ sessionId: addressHash(a), remoteAddress: a })));
    const inside = results.filter((r) => r.inRollout).length;
    expect(inside).toBeGreaterThan(120);
    expect(inside).toBeLessThan(280);
    const repeat = await Promise.all(addresses.map((a) => evaluate({ sessionId: addressHash(a), remoteAddress: a })));
    expect(repeat.map((r) => r.inRollout)).toEqual(results.map((r) => r.inRollout));
  });

  it('tells out-of-rollout users the declared stage, and sends everyone to the service at complete regardless of rollout', async () => {
    await switchTo('reads', 0);
    expect(await evaluate({ userId: 'u-1' })).toEqual({ stage: 'reads', inRollout: false, reason: 'out-of-rollout' });
    await switchTo('complete', 0);
    const lookups = jest.fn(async () => ({ userId: 'u-1' }));
    const evaluation = await evaluateCapability(() => source.client(), 'strangler.payments', lookups);
    expect(evaluation).toEqual({ stage: 'complete', inRollout: true, reason: 'complete' });
    expect(lookups).not.toHaveBeenCalled();
  });

  it('a disabled or missing flag means the monolith, without resolving who is asking', async () => {
    write(payments('live', 100, false));
    await eventually(() => source.client()?.getFeatureToggleDefinition('strangler.payments')?.enabled === false);
    const lookups = jest.fn(async () => ({ userId: 'u-1' }));
    expect(await evaluateCapability(() => source.client(), 'strangler.payments', lookups)).toEqual({ stage: 'monolith', inRollout: false, reason: 'disabled' });
    expect(await evaluateCapability(() => source.client(), 'strangler.nothing', lookups)).toEqual({ stage: 'monolith', inRollout: false, reason: 'missing' });
    expect(lookups).not.toHaveBeenCalled();
  });
});

describe('evaluateCapability when things go wrong', () => {
  const definition = buildFlagsDocument([{ capability: 'payments', enabled: true, stage: 'live', rollout: 100 }]).features[0]!;
  const client = (overrides: Partial<FlagClient>): FlagClient => ({
    getVariant: () => ({ name: 'x', enabled: false, feature_enabled: false }),
    getFeatureToggleDefinition: () => definition,
    getFeatureToggleDefinitions: () => [definition],
    ...overrides,
  });
  const context = async () => ({ userId: 'u' });

  it('not loaded yet → monolith', async () => {
    expect(await evaluateCapability(() => undefined, 'strangler.payments', context)).toMatchObject({ stage: 'monolith', reason: 'not-ready' });
  });

  it('evaluation throws → monolith, with the error for the log', async () => {
    const broken = client({
      getVariant: () => {
        throw new Error('boom');
      },
    });
    const result = await evaluateCapability(() => broken, 'strangler.payments', context);
    expect(result).toMatchObject({ stage: 'monolith', inRollout: false, reason: 'error' });
    expect((result.error as Error).message).toBe('boom');
  });

  it('the context lookup throws → monolith', async () => {
    const result = await evaluateCapability(() => client({}), 'strangler.payments', () => Promise.reject(new Error('peers down')));
    expect(result).toMatchObject({ stage: 'monolith', reason: 'error' });
  });

  it('in rollout but without a stage payload → monolith', async () => {
    const noPayload = client({ getVariant: () => ({ name: 'disabled', enabled: false, feature_enabled: true }) });
    expect(await evaluateCapability(() => noPayload, 'strangler.payments', context)).toEqual({ stage: 'monolith', inRollout: true, reason: 'in-rollout' });
  });
});

// parseFlagsDocument is tested with the codec, in cutover-model/test/flags-document.test.ts.
