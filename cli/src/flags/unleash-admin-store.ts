import type { FeatureDefinition } from '@strangler/cutover-model';
import type { CapabilityRef } from '../capabilities';
import { CliError } from '../cli-error';
import { describeErrorBody, httpCall, type HttpOptions } from '../sources/http-json';
import { flagStateOf, movedSince, readsBackAs, rolloutStrategy, type DesiredFlag, type FlagState } from './flag-state';
import { FlagMovedError, type FlagStore } from './flag-store';

type Strategy = NonNullable<FeatureDefinition['strategies']>[number] & { id?: string; segments?: number[]; title?: string | null; disabled?: boolean };

interface EnvironmentView {
  name: string;
  enabled: boolean;
  strategies: Strategy[];
}

export interface UnleashAdminOptions {
  baseUrl: string;
  adminToken: string;
  project: string;
  environment: string;
  http: HttpOptions;
}

/**
 * Capability flags on a real Unleash server through its Admin API (the sequence in shared NOTES,
 * checked against 7.5.1). Writes are ordered so the edge, which polls, only ever sees the old state,
 * the new one, or "monolith": entering from monolith the strategy is saved before the flag is
 * switched on; going to monolith the flag is switched off first; between stages, one strategy save.
 */
export class UnleashAdminStore implements FlagStore {
  readonly kind = 'unleash' as const;
  readonly where: string;

  constructor(private readonly options: UnleashAdminOptions) {
    this.where = `${options.baseUrl} (project ${options.project}, environment ${options.environment})`;
  }

  private featureUrl(flag: string, suffix = ''): string {
    return `${this.options.baseUrl}/api/admin/projects/${encodeURIComponent(this.options.project)}/features/${encodeURIComponent(flag)}${suffix}`;
  }

  private async call(method: string, url: string, body?: unknown, allow: number[] = []): Promise<{ status: number; body: unknown }> {
    const answer = await httpCall(this.options.http, 'Unleash', url, { method, headers: { authorization: this.options.adminToken }, body });
    if (answer.status === 401 || answer.status === 403) {
      throw new CliError(`Unleash refused the admin token (${answer.status} on ${method} ${url}): check UNLEASH_ADMIN_TOKEN`);
    }
    if ((answer.status < 200 || answer.status >= 300) && !allow.includes(answer.status)) {
      throw new CliError(`Unleash answered ${method} ${url} with ${answer.status}: ${describeErrorBody(answer.text)}`);
    }
    return { status: answer.status, body: answer.text ? answer.json() : undefined };
  }

  /** The flag's state in the configured environment; undefined when the flag does not exist. */
  private async environment(flag: string): Promise<EnvironmentView | undefined> {
    const { status, body } = await this.call('GET', this.featureUrl(flag), undefined, [404]);
    if (status === 404) return undefined;
    const environments = (body as { environments?: EnvironmentView[] }).environments ?? [];
    const found = environments.find((e) => e.name === this.options.environment);
    if (!found) {
      throw new CliError(`${flag} has no environment "${this.options.environment}" in project ${this.options.project} (UNLEASH_ENVIRONMENT); it has ${environments.map((e) => e.name).join(', ') || 'none'}`);
    }
    return found;
  }

  async read(capability: CapabilityRef): Promise<FlagState> {
    const environment = await this.environment(capability.flag);
    return flagStateOf(environment && definitionOf(capability.flag, environment));
  }

  async write(capability: CapabilityRef, desired: DesiredFlag, expected?: FlagState): Promise<FlagState> {
    const flag = capability.flag;
    let environment = await this.environment(flag);
    const before = flagStateOf(environment && definitionOf(flag, environment));
    // Unleash offers no compare-and-set on strategies: the flag is read again right here, so the window
    // is this process's next few calls, not the minutes its gates took; a rollback re-asserts itself
    // after it (see flip-command.ts), so a forward flip slipping into that window cannot win.
    const moved = movedSince(expected, before);
    if (moved) throw new FlagMovedError(`${flag}: ${moved}`);
    if (!environment) {
      const created = await this.call('POST', `${this.options.baseUrl}/api/admin/projects/${encodeURIComponent(this.options.project)}/features`, { name: flag, type: 'release' }, [409]);
      // Unleash keeps an archived flag's name: it reads as absent (everyone on the monolith) and cannot be made again.
      if (created.status === 409) {
        throw new CliError(`${flag} is archived in Unleash (it reads as absent: everyone is on the monolith) and Unleash will not create it again: revive it in the Unleash UI (Archive), then run this again`);
      }
      environment = await this.environment(flag);
      if (!environment) throw new CliError(`Unleash did not keep the new flag ${flag}`);
    }
    const existing = environment.strategies.find((s) => s.name === 'flexibleRollout');
    const strategy = rolloutStrategy(existing, capability.name, desired, before.generation + 1);
    const enable = desired.stage !== 'monolith';
    const problem = readsBackAs(
      definitionOf(flag, { ...environment, enabled: enable, strategies: environment.strategies.map((s) => (s === existing ? strategy : s)).concat(existing ? [] : [strategy]) }),
      desired,
    );
    if (problem) throw new CliError(`${flag} in Unleash is not shaped as decision 0004 says (one flexibleRollout strategy carrying the stage): ${problem}; fix it in the Unleash UI`);

    const strategies = this.featureUrl(flag, `/environments/${encodeURIComponent(this.options.environment)}/strategies`);
    const body = {
      name: 'flexibleRollout',
      constraints: strategy.constraints ?? [],
      parameters: strategy.parameters,
      variants: (strategy.variants ?? []).map((v) => ({ weightType: 'variable', ...v })),
      segments: existing?.segments ?? [],
      ...(existing?.title !== undefined ? { title: existing.title } : {}),
      disabled: false,
    };
    const save = () => (existing?.id ? this.call('PUT', `${strategies}/${encodeURIComponent(existing.id)}`, body) : this.call('POST', strategies, body));
    const toggle = (on: boolean) => this.call('POST', this.featureUrl(flag, `/environments/${encodeURIComponent(this.options.environment)}/${on ? 'on' : 'off'}`));

    if (!enable) {
      if (environment.enabled) await toggle(false);
      await save();
    } else {
      await save();
      if (!environment.enabled) await toggle(true);
    }
    return { exists: true, enabled: enable, stage: desired.stage, percentage: desired.percentage, generation: before.generation + 1 };
  }
}

/** The admin view of one environment, shaped as the client definition the edge evaluates. */
function definitionOf(name: string, environment: EnvironmentView): FeatureDefinition {
  return {
    name,
    enabled: environment.enabled,
    strategies: environment.strategies.filter((s) => !s.disabled),
  } as unknown as FeatureDefinition;
}
