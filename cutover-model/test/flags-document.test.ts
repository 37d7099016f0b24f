import { approvalOfDefinition, buildFlagsDocument, flagApproval, parseFlagsDocument, rolloutOfDefinition, stageFromPayload, stageOfDefinition, stagePayloadProblem, type FeatureDefinition } from '../src';

describe('stage payloads and definitions', () => {
  it('reads a stage from a json payload only, and says why another is not one', () => {
    expect(stageFromPayload({ type: 'json', value: '{"stage":"reads"}' })).toBe('reads');
    expect(stageFromPayload({ type: 'string', value: '{"stage":"reads"}' })).toBeUndefined();
    expect(stageFromPayload({ type: 'json', value: '{"stage":"lve"}' })).toBeUndefined();
    expect(stageFromPayload({ type: 'json', value: 'not json' })).toBeUndefined();
    expect(stagePayloadProblem(undefined)).toBe('has no payload');
    expect(stagePayloadProblem({ type: 'json', value: '{"stage":"live"}' })).toBeUndefined();
    expect(stagePayloadProblem({ type: 'string', value: 'x' })).toMatch(/^payload must be json \{"stage": "monolith" \| "shadow"/);
  });

  it('a disabled or missing flag is at monolith, with its rollout still read', () => {
    const [feature] = buildFlagsDocument([{ capability: 'auth', enabled: false, stage: 'live', rollout: 40 }]).features;
    expect(stageOfDefinition(feature)).toBe('monolith');
    expect(rolloutOfDefinition(feature)).toBe(40);
    expect(stageOfDefinition(undefined)).toBe('monolith');
    expect(rolloutOfDefinition(undefined)).toBe(0);
  });

  it('takes the first strategy variant naming a stage, else a flag-level one; clamps the rollout', () => {
    const definition: FeatureDefinition = {
      name: 'strangler.x',
      enabled: true,
      strategies: [{ name: 'flexibleRollout', parameters: { rollout: '140' }, variants: [{ name: 'other', weight: 1 }, { name: 'stage', weight: 1, payload: { type: 'json', value: '{"stage":"shadow"}' } }] }],
      variants: [{ name: 'stage', weight: 1, payload: { type: 'json', value: '{"stage":"complete"}' } }],
    };
    expect(stageOfDefinition(definition)).toBe('shadow');
    expect(rolloutOfDefinition(definition)).toBe(100);
    expect(stageOfDefinition({ ...definition, strategies: [] })).toBe('complete');
  });

  it('knows a flag a gate sealed from one changed by hand since', () => {
    const [feature] = buildFlagsDocument([{ capability: 'payments', enabled: true, stage: 'live', rollout: 10 }]).features;
    const parameters = feature!.strategies![0]!.parameters!;
    expect(approvalOfDefinition(feature)).toEqual({ stickiness: 'default', approved: null });
    parameters.flipGeneration = '3';
    parameters.flipApproval = flagApproval({ enabled: true, stage: 'live', percentage: 10, stickiness: 'default', groupId: 'payments', generation: 3 });
    expect(approvalOfDefinition(feature)).toEqual({ stickiness: 'default', approved: true });
    parameters.rollout = '50';
    expect(approvalOfDefinition(feature)).toEqual({ stickiness: 'default', approved: false });
  });
});

describe('parseFlagsDocument', () => {
  it('accepts a saved /api/client/features response', () => {
    const document = buildFlagsDocument([{ capability: 'auth', enabled: true, stage: 'shadow', rollout: 10 }]);
    expect(parseFlagsDocument(JSON.stringify({ ...document, query: { project: ['default'] }, meta: { revisionId: 3 } })).ok).toBe(true);
  });

  it('rejects unknown stages, bad percentages and malformed features, saying where', () => {
    const document = buildFlagsDocument([{ capability: 'auth', enabled: true, stage: 'live', rollout: 10 }]);
    const strategy = document.features[0]!.strategies![0]!;
    strategy.parameters!.rollout = '140';
    strategy.variants![0]!.payload!.value = '{"stage":"lve"}';
    const result = parseFlagsDocument(JSON.stringify(document));
    expect(result.ok).toBe(false);
    const errors = (result as { errors: string[] }).errors.join('\n');
    expect(errors).toContain('features.0.strategies.0.parameters.rollout: must be a percentage');
    expect(errors).toContain('features.0.strategies.0.variants.0.payload: unknown stage "lve"');
    const malformed = parseFlagsDocument(JSON.stringify({ version: 2, features: [{ name: 'x', strategies: [] }] }));
    expect(malformed).toEqual({ ok: false, errors: ['features.0.enabled: Invalid input: expected boolean, received undefined'] });
  });

  it('rejects a capability flag that would route some users by no stage (issue #11 §5: a typo moved payments from complete to monolith)', () => {
    const errorsOf = (edit: (feature: ReturnType<typeof buildFlagsDocument>['features'][number]) => void) => {
      const document = buildFlagsDocument([{ capability: 'payments', enabled: true, stage: 'complete', rollout: 100 }]);
      edit(document.features[0]!);
      const result = parseFlagsDocument(JSON.stringify(document));
      return result.ok ? [] : result.errors;
    };
    const stageVariant = (value: string) => ({ name: 'stage', weight: 1000, payload: { type: 'json', value } });
    // A misspelt stage or key on a flag-level variant.
    expect(errorsOf((f) => void (f.variants = [stageVariant('{"stage":"compelte"}')] as never))).toEqual([
      expect.stringMatching(/^features\.0\.variants\.0\.payload: a capability flag's variant payload must be json \{"stage"/),
    ]);
    expect(errorsOf((f) => void (f.strategies![0]!.variants = [stageVariant('{"stge":"complete"}')] as never))).toEqual([
      expect.stringMatching(/^features\.0\.strategies\.0\.variants\.0\.payload: a capability flag's variant payload must be json/),
    ]);
    // A strategy without its stage variant, and a flag switched on with no stage anywhere.
    expect(errorsOf((f) => void (f.strategies![0]!.variants = []))).toEqual(['features.0.strategies.0.variants: strategy flexibleRollout has no stage variant: the users it selects would silently be on the monolith']);
    expect(errorsOf((f) => void (f.strategies = []))).toEqual([
      'features.0.enabled: the flag is on but names no stage (give it a flexibleRollout strategy with a stage variant, or turn it off)',
    ]);
    // Flags that are not a capability's keep Unleash's freedom.
    const other = { name: 'checkout.new-button', enabled: true, strategies: [{ name: 'default', parameters: {}, constraints: [] }], variants: [] };
    expect(parseFlagsDocument(JSON.stringify({ version: 2, features: [other] })).ok).toBe(true);
  });
});
