import type { OpenApiDocument } from '@strangler/kit';
import type { HttpClient, RequestOptions, TestResponse } from '@strangler/kit/testing';
import type { RunningSide, Side } from '../behaviour/sides';
import { ResponseValidator } from './response-validator';

/** A side whose every API answer is checked against the side's own `GET /openapi.json`. */
export interface OpenApiCheckedSide {
  side: Side;
  /** Operations under the prefix the side documents, as `METHOD template`. */
  documented: Set<string>;
  /** Operations an answer was checked for, across every start. */
  seen: Set<string>;
}

/**
 * Wraps `side` so that each answer its `api` gives is validated as it arrives: an answer the
 * document does not allow throws, failing the test that asked. Answers from `authApi` (another
 * deployable, for the payments service) are left to that deployable's own suite.
 */
export function openApiChecked(side: Side, prefix: string): OpenApiCheckedSide {
  const documented = new Set<string>();
  const seen = new Set<string>();
  const checked: Side = {
    name: side.name,
    async start(dialect, options) {
      const running = await side.start(dialect, options);
      const response = await fetch(`${running.url}/openapi.json`);
      if (response.status !== 200) throw new Error(`${side.name}: GET /openapi.json answered ${response.status}`);
      const validator = new ResponseValidator((await response.json()) as OpenApiDocument);
      for (const name of validator.operationNames()) if (name.split(' ')[1]?.startsWith(prefix)) documented.add(name);
      return { ...running, api: validating(running.api, validator, seen), authApi: running.authApi ?? running.api } satisfies RunningSide;
    },
  };
  return { side: checked, documented, seen };
}

function validating(api: HttpClient, validator: ResponseValidator, seen: Set<string>): HttpClient {
  async function request<T = any>(method: string, path: string, body?: unknown, options?: RequestOptions): Promise<TestResponse<T>> {
    const response = await api.request<T>(method, path, body, options);
    const problems = validator.problems({ method, path, status: response.status, contentType: response.headers.get('content-type'), text: response.text });
    for (const name of validator.seen) seen.add(name);
    if (problems.length > 0) throw new Error(`the answer does not match the OpenAPI document:\n  ${problems.join('\n  ')}`);
    return response;
  }
  return {
    request,
    get: (path, options) => request('GET', path, undefined, options),
    post: (path, body, options) => request('POST', path, body, options),
  };
}

/** The test that says every documented operation was exercised (so the checks above cannot pass by checking nothing). */
export function describeOpenApiCoverage(checked: OpenApiCheckedSide): void {
  describe(`OpenAPI: ${checked.side.name}`, () => {
    it('answered every documented operation, each answer valid under the document', () => {
      expect(checked.documented.size).toBeGreaterThan(0);
      expect([...checked.documented].filter((name) => !checked.seen.has(name))).toEqual([]);
    });
  });
}
