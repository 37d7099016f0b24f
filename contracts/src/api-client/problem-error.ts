/** One offending field of a 400 VALIDATION_FAILED answer, e.g. `{ field: 'items[0].quantity', … }`. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** An RFC 9457 `application/problem+json` body as the platform writes it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  /** Stable and public: switch on this, never on `title` or `detail`. */
  code: string;
  requestId?: string;
  errors?: FieldProblem[];
  [extension: string]: unknown;
}

/** A problem+json answer from the API, thrown by every client call that does not succeed. */
export class ProblemError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly type: string;
  readonly detail: string | undefined;
  readonly requestId: string | undefined;
  /** The fields a VALIDATION_FAILED answer names; empty for every other problem. */
  readonly errors: readonly FieldProblem[];

  constructor(readonly problem: Problem) {
    super(`${problem.status} ${problem.code}: ${problem.detail ?? problem.title}`);
    this.name = 'ProblemError';
    this.status = problem.status;
    this.code = problem.code;
    this.title = problem.title;
    this.type = problem.type;
    this.detail = problem.detail;
    this.requestId = problem.requestId;
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
  }
}

/** A failed answer that is not problem+json (a proxy's HTML error page, say). */
export class UnexpectedResponseError extends Error {
  constructor(
    readonly status: number,
    readonly contentType: string | undefined,
    readonly bodyText: string,
  ) {
    super(`unexpected ${status} response${contentType ? ` (${contentType})` : ''}`);
    this.name = 'UnexpectedResponseError';
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The body as a Problem when it has the members every problem of this API carries. */
export function asProblem(body: unknown): Problem | undefined {
  if (!isRecord(body)) return undefined;
  const { type, title, status, code } = body;
  if (typeof type !== 'string' || typeof title !== 'string' || typeof status !== 'number' || typeof code !== 'string') return undefined;
  return body as Problem;
}
