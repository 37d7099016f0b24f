import './zod-openapi';
import { type z } from 'zod';
import {
  OpenAPIRegistry,
  OpenApiGeneratorV31,
  type ResponseConfig,
  type RouteConfig,
} from '@asteasolutions/zod-to-openapi';
import { problemSchema } from './problem-schema';
import { PROBLEM_CONTENT_TYPE } from '../errors/problem-details';

/** A part of an API (a capability, a module) writing its operations into a deployable's document. */
export type ApiDescription = (api: ApiRegistry) => void;

export const BEARER_AUTH = 'bearerAuth';

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request: a VALIDATION_FAILED problem lists every offending field',
  401: 'Missing, unknown or expired bearer token (or wrong credentials on login)',
  404: 'Not found, or not the caller\u2019s',
  409: 'Conflict with the current state',
  413: 'Request body too large',
  415: 'Request body is not JSON',
  422: 'Well-formed but not acceptable in the current state',
  429: 'Too many requests: `Retry-After` says when to come back',
  500: 'Unexpected error',
  503: 'A dependency is unavailable: `Retry-After` says when to come back',
};

/** Problem answers every operation can give whatever it does. */
const ALWAYS = [400, 413, 415, 429, 500, 503] as const;

export const jsonContent = (schema: z.ZodType) => ({ 'application/json': { schema } });

/** The registry a deployable's document is built from, with the shapes every operation shares. */
export class ApiRegistry {
  readonly registry = new OpenAPIRegistry();

  constructor() {
    this.registry.register('Problem', problemSchema);
    this.registry.registerComponent('securitySchemes', BEARER_AUTH, { type: 'http', scheme: 'bearer', description: 'A session token from register or login.' });
  }

  /**
   * One operation. `problems` are the error statuses it answers besides those every operation can
   * (400, 413, 415, 429, 500, 503); `authenticated` adds 401 and the bearer requirement.
   */
  operation(route: Omit<RouteConfig, 'responses' | 'security'> & {
    responses: Record<number, ResponseConfig>;
    problems?: number[];
    authenticated?: boolean;
  }): void {
    const { problems = [], authenticated = false, responses, ...rest } = route;
    const statuses = new Set<number>([...ALWAYS, ...problems, ...(authenticated ? [401] : [])]);
    const all: Record<string, ResponseConfig> = {};
    for (const [status, response] of Object.entries(responses)) all[status] = response;
    for (const status of [...statuses].sort()) all[String(status)] = problemResponse(status);
    this.registry.registerPath({ ...rest, ...(authenticated ? { security: [{ [BEARER_AUTH]: [] }] } : {}), responses: all });
  }

  schema<T extends z.ZodType>(name: string, schema: T): T {
    return this.registry.register(name, schema);
  }
}

function problemResponse(status: number): ResponseConfig {
  return {
    description: STATUS_TEXT[status] ?? 'Problem',
    ...(status === 429 || status === 503 ? { headers: { 'Retry-After': { schema: { type: 'string' }, description: 'Seconds to wait before retrying' } } } : {}),
    ...(status === 401 ? { headers: { 'WWW-Authenticate': { schema: { type: 'string' }, description: 'The scheme to authenticate with: Bearer' } } } : {}),
    content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema } },
  };
}

export interface DocumentInfo {
  title: string;
  version: string;
  description?: string;
}

/** The OpenAPI 3.1 document of `descriptions`, built once at boot. */
export function openApiDocument(info: DocumentInfo, descriptions: ApiDescription[]): OpenApiDocument {
  const api = new ApiRegistry();
  for (const describe of descriptions) describe(api);
  const document = new OpenApiGeneratorV31(api.registry.definitions).generateDocument({ openapi: '3.1.0', info: { ...info } });
  return JSON.parse(JSON.stringify(document)) as OpenApiDocument;
}

/** The parts of an OpenAPI document this project reads (the full type is openapi-types'). */
export interface OpenApiDocument {
  openapi: string;
  info: DocumentInfo;
  paths: Record<string, Record<string, unknown>>;
  components?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}
