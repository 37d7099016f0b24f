import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import type { OpenApiDocument } from '@strangler/kit';

export interface ObservedResponse {
  method: string;
  /** The request target as sent (a query string is ignored). */
  path: string;
  status: number;
  contentType: string | null;
  /** The body as text ('' for none). */
  text: string;
}

interface Operation {
  template: string;
  method: string;
  pattern: RegExp;
}

const pointer = (...parts: string[]) => parts.map((part) => part.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/**
 * Checks answers against an OpenAPI 3.1 document: the operation must be documented (or the answer a
 * 404/405 problem for a path the document does not have), the status listed for it, the content type
 * one it lists, and the body valid under its JSON Schema (2020-12, as OpenAPI 3.1 uses).
 */
export class ResponseValidator {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly operations: Operation[];
  private readonly compiled = new Map<string, ValidateFunction>();
  /** `METHOD template` of every operation an answer was checked for. */
  readonly seen = new Set<string>();

  constructor(private readonly document: OpenApiDocument) {
    addFormats(this.ajv);
    this.ajv.addSchema(document as object, 'openapi');
    this.operations = Object.entries(document.paths).flatMap(([template, item]) =>
      Object.keys(item).map((method) => ({
        template,
        method: method.toUpperCase(),
        pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
      })),
    );
  }

  /** Every documented operation as `METHOD template`. */
  operationNames(): string[] {
    return this.operations.map((operation) => `${operation.method} ${operation.template}`);
  }

  /** What is wrong with `response` under the document; empty when nothing is. */
  problems(response: ObservedResponse): string[] {
    const path = response.path.split('?')[0] ?? '';
    const operation = this.operations.find((candidate) => candidate.method === response.method && candidate.pattern.test(path));
    if (!operation) return this.undocumented(response, path);
    const name = `${operation.method} ${operation.template}`;
    this.seen.add(name);
    const responses = (this.document.paths[operation.template]?.[operation.method.toLowerCase()] as { responses: Record<string, { content?: Record<string, unknown> }> }).responses;
    const declared = responses[String(response.status)] ?? responses.default;
    if (!declared) return [`${name}: status ${response.status} is not documented (documented: ${Object.keys(responses).join(', ')})`];
    const statusKey = responses[String(response.status)] ? String(response.status) : 'default';
    if (!declared.content) return response.text === '' ? [] : [`${name} ${response.status}: documented without a body, answered ${response.text.slice(0, 200)}`];
    const mediaType = (response.contentType ?? '').split(';')[0]?.trim() ?? '';
    if (!(mediaType in declared.content)) return [`${name} ${response.status}: content type ${mediaType || '(none)'} is not documented (${Object.keys(declared.content).join(', ')})`];
    return this.schemaProblems(`${name} ${response.status}`, pointer('#', 'paths', operation.template, operation.method.toLowerCase(), 'responses', statusKey, 'content', mediaType, 'schema'), response.text);
  }

  private undocumented(response: ObservedResponse, path: string): string[] {
    const pathKnown = this.operations.some((operation) => operation.pattern.test(path));
    const expected = pathKnown ? 405 : 404;
    const name = `${response.method} ${path}`;
    if (response.status !== expected && !(pathKnown && response.status === 404)) return [`${name}: not documented, yet answered ${response.status}`];
    return this.schemaProblems(name, '#/components/schemas/Problem', response.text);
  }

  private schemaProblems(name: string, schemaPointer: string, text: string): string[] {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return [`${name}: the body is not JSON: ${text.slice(0, 200)}`];
    }
    let validate = this.compiled.get(schemaPointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `openapi${schemaPointer}` });
      this.compiled.set(schemaPointer, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map((error) => `${name}: ${error.instancePath || '(body)'} ${error.message ?? ''} ${JSON.stringify(error.params)}`);
  }
}
