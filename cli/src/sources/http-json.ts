import { CliError } from '../cli-error';

export type FetchLike = typeof fetch;

export interface HttpOptions {
  fetch: FetchLike;
  timeoutMs: number;
}

export interface HttpAnswer {
  status: number;
  text: string;
  json(): unknown;
}

/** One HTTP call with a deadline; a network failure becomes a CliError naming `what` and the URL. */
export async function httpCall(
  options: HttpOptions,
  what: string,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<HttpAnswer> {
  const headers: Record<string, string> = { accept: 'application/json, text/plain', ...init.headers };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await options.fetch(url, {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    const e = error as Error & { cause?: { code?: string; message?: string } };
    const reason = e.name === 'TimeoutError' ? `no answer within ${options.timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
    throw new CliError(`cannot reach ${what} at ${url}: ${reason}`);
  }
  const text = await response.text();
  return {
    status: response.status,
    text,
    json() {
      try {
        return JSON.parse(text);
      } catch {
        throw new CliError(`${what} at ${url} answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
      }
    },
  };
}

/** A problem+json or plain error body in one line. */
export function describeErrorBody(text: string): string {
  try {
    const body = JSON.parse(text) as { detail?: string; message?: string; title?: string; code?: string };
    return [body.code, body.detail ?? body.message ?? body.title].filter(Boolean).join(': ') || text.slice(0, 200);
  } catch {
    return text.slice(0, 200);
  }
}
