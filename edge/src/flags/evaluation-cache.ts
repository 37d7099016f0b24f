import type { Context, Variant } from 'unleash-client';
import type { FlagClient, FlagSource } from './flag-source';
import type { FeatureDefinition } from '@strangler/cutover-model';

/**
 * Remembers unleash-client's answer to `getVariant(flag, context, fallback)` while the flag definitions
 * stay what they were, so a request from someone already seen costs a map lookup instead of a full
 * evaluation (context copy, strategies, constraints, two murmur hashes, a fresh variant object).
 *
 * Exactly unleash-client's answer, or no caching:
 * - The cache belongs to one client instance and one revision of its definitions. The flag sources bump
 *   the revision synchronously when the definitions change (unleash-client mutates them and emits
 *   `changed` in the same tick; the flags file swaps in a new client), and each flag's entries also die
 *   when its definition object is replaced. So a flag flip is seen by the very next request.
 * - Only definitions whose answer is a pure function of the context are cached: no random stickiness
 *   (nor a sticky field the context lacks, which unleash-client would replace by a random number), no
 *   gradualRolloutRandom, no date constraints (time), no segments or dependencies (they live outside the
 *   definition), only built-in strategies, and no impression data (unleash-client emits an event per call).
 * - Only contexts of the shape the edge builds (userId, sessionId, remoteAddress; strings) are cached,
 *   keyed by all three values.
 * - Usage metrics stay identical: a cache hit counts the toggle and the variant as unleash-client's own
 *   `getVariant` does.
 *
 * Bounded: per flag, two generations of at most `capacity` entries each (a full generation becomes the
 * old one and is dropped at the next turn), so memory is capped and a key in use keeps being found.
 */

/** Strategies built into unleash-client whose result depends only on the context and the definition. */
const PURE_STRATEGIES = new Set(['default', 'flexibleRollout', 'userWithId', 'remoteAddress', 'gradualRolloutUserId', 'gradualRolloutSessionId', 'applicationHostname']);
const TIME_OPERATORS = new Set(['DATE_AFTER', 'DATE_BEFORE']);

/** The context fields the edge sets (and the only ones a cached context may have). */
type EdgeField = 'userId' | 'sessionId' | 'remoteAddress';
const EDGE_FIELDS: ReadonlySet<string> = new Set<EdgeField>(['userId', 'sessionId', 'remoteAddress']);
/**
 * `defaultId`: what unleash-client's `default` stickiness reads, the first non-empty of userId and
 * sessionId (its variant seed would go on to remoteAddress, but only when both are empty, and such
 * contexts are not cached).
 */
type ReadField = EdgeField | 'defaultId';

interface CachePlan {
  /** The context values the answer depends on: the cache key. */
  reads: ReadField[];
  /** Values that must be non-empty, or unleash-client would draw a random number. */
  required: ReadField[];
}

const plans = new WeakMap<FeatureDefinition, CachePlan | null>();

/** Whether (and keyed by what) unleash-client's answer for this definition may be cached. */
export function cachePlanOf(definition: FeatureDefinition): CachePlan | null {
  let plan = plans.get(definition);
  if (plan !== undefined) return plan;
  plan = analyse(definition);
  plans.set(definition, plan);
  return plan;
}

function analyse(definition: FeatureDefinition): CachePlan | null {
  const d = definition as FeatureDefinition & { impressionData?: boolean; dependencies?: unknown[] };
  if (d.impressionData || (d.dependencies?.length ?? 0) > 0 || !Array.isArray(d.strategies)) return null;
  const reads = new Set<ReadField>();
  const required = new Set<ReadField>();
  // A field the context does not carry reads as undefined for every cached context: no key part needed.
  const read = (field: string | undefined) => {
    if (field !== undefined && EDGE_FIELDS.has(field)) reads.add(field as EdgeField);
  };
  /** A variant seed (getSeed): `default`, or a named field, which must then be present. */
  const seed = (stickiness: string | undefined): boolean => {
    if (stickiness === undefined || stickiness === 'default') {
      reads.add('defaultId');
      required.add('defaultId');
      return true;
    }
    if (!EDGE_FIELDS.has(stickiness)) return false; // random, or a field the edge never sets
    reads.add(stickiness as EdgeField);
    required.add(stickiness as EdgeField);
    return true;
  };
  const overrides = (variants: Array<{ overrides?: Array<{ contextName: string }> }>) => {
    for (const variant of variants) for (const override of variant.overrides ?? []) read(override.contextName);
  };

  for (const strategy of d.strategies) {
    if (!strategy || !PURE_STRATEGIES.has(strategy.name)) return null;
    if ((strategy.segments?.length ?? 0) > 0) return null;
    const parameters = (strategy.parameters ?? {}) as Record<string, unknown>;
    switch (strategy.name) {
      case 'flexibleRollout': {
        const stickiness = (parameters.stickiness as string | undefined) || 'default';
        if (stickiness === 'random') return null;
        if (stickiness === 'default') {
          reads.add('defaultId');
          required.add('defaultId');
        } else {
          read(stickiness); // a missing value is "not in the rollout", not random
        }
        break;
      }
      case 'userWithId':
      case 'gradualRolloutUserId':
        read('userId');
        break;
      case 'gradualRolloutSessionId':
        read('sessionId');
        break;
      case 'remoteAddress':
        read('remoteAddress');
        break;
    }
    for (const constraint of strategy.constraints ?? []) {
      if (!constraint || TIME_OPERATORS.has(constraint.operator)) return null;
      read(constraint.contextName);
    }
    const variants = strategy.variants ?? [];
    if (variants.length > 0) {
      if (!seed(variants[0]!.stickiness || (parameters.stickiness as string | undefined))) return null;
      overrides(variants);
    }
  }
  const variants = d.variants ?? [];
  if (variants.length > 0) {
    if (!seed(variants[0]!.stickiness ?? undefined)) return null;
    overrides(variants);
  }
  // Fixed order, so the same plan always builds the same key.
  const order: ReadField[] = ['defaultId', 'userId', 'sessionId', 'remoteAddress'];
  return { reads: order.filter((f) => reads.has(f)), required: order.filter((f) => required.has(f)) };
}

function valueOf(context: Context, field: ReadField): string | undefined {
  return field === 'defaultId' ? context.userId || context.sessionId : context[field];
}

export const NOT_CACHEABLE: unique symbol = Symbol('not cacheable');

/**
 * The cache key for a context: the values the plan reads. A single one (the usual case: the caller's
 * user id) is the key as it is, the same string object request after request, so the lookup does not
 * even hash it again. NOT_CACHEABLE when the context is not of the shape that may be cached.
 */
export function contextKey(context: Context, plan: CachePlan): string | undefined | typeof NOT_CACHEABLE {
  for (const key in context) {
    if (!EDGE_FIELDS.has(key)) return NOT_CACHEABLE;
  }
  const { userId, sessionId, remoteAddress } = context;
  if (!optionalString(userId) || !optionalString(sessionId) || !optionalString(remoteAddress)) return NOT_CACHEABLE;
  for (const field of plan.required) {
    if (!valueOf(context, field)) return NOT_CACHEABLE;
  }
  const { reads } = plan;
  if (reads.length === 0) return '';
  if (reads.length === 1) return valueOf(context, reads[0]!);
  // Length-prefixed, so no value can pose as another; `-` for an absent value.
  let key = '';
  for (const field of reads) {
    const value = valueOf(context, field);
    key += value === undefined ? '-' : `${value.length}:${value}`;
  }
  return key;
}

function optionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

type Answer = Variant & { feature_enabled?: boolean };

/** Keys: a context value (or undefined when the one value read is absent), or a composite string. */
type Key = string | undefined;

interface FlagEntries {
  definition: FeatureDefinition;
  fallback: Variant;
  current: Map<Key, Answer>;
  previous: Map<Key, Answer>;
}

/** The counting half of unleash-client's `Unleash` (usage metrics sent to the server). */
interface Counting {
  count(name: string, enabled: boolean): void;
  countVariant(name: string, variantName: string): void;
}

/** A FlagClient answering repeated getVariant calls from memory, for one client and one revision of its flags. */
export class CachingFlagClient implements FlagClient {
  private readonly flags = new Map<string, FlagEntries>();
  private readonly counting: Counting | undefined;

  constructor(
    readonly inner: FlagClient,
    private readonly capacity: number,
  ) {
    const candidate = inner as Partial<Counting>;
    this.counting = typeof candidate.count === 'function' && typeof candidate.countVariant === 'function' ? (candidate as Counting) : undefined;
  }

  getVariant(name: string, context: Context, fallbackVariant: Variant): Answer {
    const definition = this.inner.getFeatureToggleDefinition(name);
    const plan = definition ? cachePlanOf(definition) : null;
    const key = plan ? contextKey(context, plan) : NOT_CACHEABLE;
    if (!definition || key === NOT_CACHEABLE) return this.inner.getVariant(name, context, fallbackVariant);
    let entries = this.flags.get(name);
    if (!entries || entries.definition !== definition || entries.fallback !== fallbackVariant) {
      entries = { definition, fallback: fallbackVariant, current: new Map(), previous: new Map() };
      this.flags.set(name, entries);
    }
    let answer = entries.current.get(key);
    if (answer === undefined) {
      answer = entries.previous.get(key);
      if (answer === undefined) {
        // A miss: unleash-client evaluates (and counts) as usual.
        answer = Object.freeze(this.inner.getVariant(name, context, fallbackVariant));
        this.remember(entries, key, answer);
        return answer;
      }
      this.remember(entries, key, answer);
    }
    if (this.counting) {
      if (answer.name) this.counting.countVariant(name, answer.name);
      this.counting.count(name, Boolean(answer.feature_enabled));
    }
    return answer;
  }

  private remember(entries: FlagEntries, key: Key, answer: Answer): void {
    if (entries.current.size >= this.capacity) {
      entries.previous = entries.current;
      entries.current = new Map();
    }
    entries.current.set(key, answer);
  }

  getFeatureToggleDefinition(name: string): FeatureDefinition | undefined {
    return this.inner.getFeatureToggleDefinition(name);
  }

  getFeatureToggleDefinitions(): FeatureDefinition[] {
    return this.inner.getFeatureToggleDefinitions();
  }
}

/**
 * The flag source with evaluations cached (see above). `capacity` 0, or a source that cannot say when
 * its definitions change (no `revision()`), means no caching: the source is returned as it is.
 */
export function withEvaluationCache(source: FlagSource, capacity: number): FlagSource {
  if (capacity <= 0 || typeof source.revision !== 'function') return source;
  const revisionOf = source.revision.bind(source);
  let cached: { inner: FlagClient; revision: number; client: CachingFlagClient } | undefined;
  return {
    kind: source.kind,
    client() {
      const inner = source.client();
      if (!inner) return undefined;
      const revision = revisionOf();
      if (!cached || cached.inner !== inner || cached.revision !== revision) {
        cached = { inner, revision, client: new CachingFlagClient(inner, capacity) };
      }
      return cached.client;
    },
    revision: revisionOf,
    status: () => source.status(),
    whenReady: (timeoutMs) => source.whenReady(timeoutMs),
    close: () => source.close(),
  };
}
