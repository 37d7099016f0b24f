import { type AppError } from './app-error';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  requestId?: string;
  [extension: string]: unknown;
}

/** `type` is a stable URN derived from the code, so clients can switch on either. */
export function problemType(code: string): string {
  return `urn:strangler:problem:${code.toLowerCase().replace(/_/g, '-')}`;
}

export function toProblem(error: AppError, requestId?: string): ProblemDetails {
  return {
    ...error.extensions,
    type: problemType(error.code),
    title: error.title,
    status: error.status,
    ...(error.detail !== undefined ? { detail: error.detail } : {}),
    code: error.code,
    ...(requestId !== undefined ? { requestId } : {}),
  };
}
