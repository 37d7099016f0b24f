import { userInfo } from 'node:os';
import { CliError, usageError } from '../cli-error';
import { EXIT, type ExitCode } from '../exit-codes';
import { describeErrorBody, httpCall, type HttpOptions } from '../sources/http-json';

export interface EmergencyRequest {
  action: 'stop' | 'clear';
  capability: string;
  reason: string | undefined;
  by: string | undefined;
  json: boolean;
}

export interface EmergencyDeps {
  edgeUrls: readonly string[];
  adminToken: string | undefined;
  http: HttpOptions;
  out(text: string): void;
}

interface EdgeOutcome {
  edge: string;
  ok: boolean;
  detail: string;
}

/**
 * `strangler emergency stop|clear <capability>`: the rollback that needs no Unleash (issue #13 §7).
 * Sets (or clears) an emergency stop on every edge, which then sends the capability to the
 * monolith whatever its flag says. Every edge is tried; any edge that did not take it makes exit 1,
 * named, because an edge left out still routes by the flag.
 */
export async function emergency(request: EmergencyRequest, deps: EmergencyDeps): Promise<ExitCode> {
  if (request.action === 'stop' && !request.reason) throw usageError('--reason is required: say why, it is shown on every edge and in status');
  const by = request.by ?? operator();
  const outcomes = await Promise.all(deps.edgeUrls.map((edge) => onEdge(edge, request, by, deps)));
  const failed = outcomes.filter((o) => !o.ok);
  if (request.json) deps.out(`${JSON.stringify({ ok: failed.length === 0, action: request.action, capability: request.capability, edges: outcomes }, null, 2)}\n`);
  else deps.out(`${summary(request, outcomes)}\n`);
  return failed.length ? EXIT.failed : EXIT.ok;
}

async function onEdge(edge: string, request: EmergencyRequest, by: string, deps: EmergencyDeps): Promise<EdgeOutcome> {
  const url = `${edge}/_edge/emergency/${encodeURIComponent(request.capability)}`;
  const headers: Record<string, string> = deps.adminToken ? { authorization: `Bearer ${deps.adminToken}` } : {};
  try {
    const answer =
      request.action === 'stop'
        ? await httpCall(deps.http, 'the edge', url, { method: 'PUT', headers, body: { by, reason: request.reason } })
        : await httpCall(deps.http, 'the edge', url, { method: 'DELETE', headers });
    if (answer.status === 404) return { edge, ok: false, detail: `the edge does not route a capability named ${request.capability} (or predates emergency stops)` };
    if (answer.status !== 200) return { edge, ok: false, detail: `answered ${answer.status}: ${describeErrorBody(answer.text)}` };
    return { edge, ok: true, detail: request.action === 'stop' ? 'stopped' : (answer.json() as { cleared: unknown }).cleared ? 'cleared' : 'had no stop' };
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    return { edge, ok: false, detail: error.message };
  }
}

function summary(request: EmergencyRequest, outcomes: readonly EdgeOutcome[]): string {
  const done = outcomes.filter((o) => o.ok).length;
  const lines = outcomes.map((o) => `  ${o.ok ? 'ok  ' : 'FAIL'} ${o.edge}: ${o.detail}`);
  const head =
    request.action === 'stop'
      ? `${request.capability}: EMERGENCY STOP on ${done}/${outcomes.length} edge(s): every request goes to the monolith, whatever the flag says, until \`strangler emergency clear ${request.capability}\`.\n` +
        '  Writes moved without the write fence: what the service took in its last moments reaches the monolith through the sync — keep the to-monolith worker running.'
      : `${request.capability}: emergency stop cleared on ${done}/${outcomes.length} edge(s): the capability routes by its flag again.\n` +
        '  Writes moved without the write fence: if the flag gives the service writes, what the monolith took in the last moments reaches it only through the sync ' +
        '(a retried key could be done on both sides). Safer: `strangler rollback` first, clear, then `strangler flip` forward through the fence.';
  const missing = done < outcomes.length ? `\n  ${outcomes.length - done} edge(s) did not take it: they still route as before — run it again for them.` : '';
  return `${head}\n${lines.join('\n')}${missing}`;
}

function operator(): string {
  try {
    return userInfo().username || 'operator';
  } catch {
    return 'operator';
  }
}
