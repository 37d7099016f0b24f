import { asProblem, ProblemError, UnexpectedResponseError } from './problem-error';

/** The bearer token, fixed or read at every call (a front end keeps it in its session store). */
export type TokenSource = string | (() => string | undefined);

export interface ApiClientOptions {
  /** Where the public API is served, e.g. "https://shop.example.com" (no trailing path needed). */
  baseUrl: string;
  token?: TokenSource;
  /** Defaults to the global fetch (browsers, Node >= 18). */
  fetch?: typeof fetch;
  /** Per request; none by default. */
  timeoutMs?: number;
}

export interface ApiRequest {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  /** Sends the bearer token (default). */
  authenticated?: boolean;
}

function queryString(query: ApiRequest['query']): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined) params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** JSON over fetch: success bodies come back parsed, failures are thrown as ProblemError. */
export class HttpTransport {
  private readonly baseUrl: string;

  constructor(private readonly options: ApiClientOptions) {
    if (!options.baseUrl) throw new Error('ApiClient: baseUrl is required');
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  /** The same transport with another token (e.g. the one login just returned). */
  withToken(token: TokenSource | undefined): HttpTransport {
    return new HttpTransport({ ...this.options, token });
  }

  async send<T>(request: ApiRequest): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json', ...request.headers };
    if (request.authenticated !== false) {
      const token = this.token();
      if (token) headers.authorization = `Bearer ${token}`;
    }
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    const doFetch = this.options.fetch ?? fetch;
    const response = await doFetch(`${this.baseUrl}${request.path}${queryString(request.query)}`, {
      method: request.method,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      ...(this.options.timeoutMs ? { signal: AbortSignal.timeout(this.options.timeoutMs) } : {}),
    });
    const text = await response.text();
    const contentType = response.headers.get('content-type') ?? undefined;
    if (response.ok) {
      if (!text) return undefined as T;
      const body = /json/i.test(contentType ?? '') ? parseJson(text) : undefined;
      if (body === undefined) throw new UnexpectedResponseError(response.status, contentType, text);
      return body as T;
    }
    const problem = /json/i.test(contentType ?? '') ? asProblem(parseJson(text)) : undefined;
    if (problem) throw new ProblemError(problem);
    throw new UnexpectedResponseError(response.status, contentType, text);
  }

  private token(): string | undefined {
    const source = this.options.token;
    return typeof source === 'function' ? source() : source;
  }
}

/** A path segment from an id the caller holds; ids never need escaping, but a bad one must not
 * become another route. */
export const segment = (id: string): string => encodeURIComponent(id);
