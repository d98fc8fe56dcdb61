// Domain errors carry a code; the API maps each code to an HTTP status in one place
// (VALIDATION 400, UNAUTHENTICATED 401, FORBIDDEN 403, NOT_FOUND 404, INVALID_STATE 409,
// CONFLICT 409, RATE_LIMITED 429). Pure: no framework imports.
import type { Refusal } from './workflow.types';

export type DomainErrorCode =
  'VALIDATION' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'INVALID_STATE' | 'CONFLICT' | 'RATE_LIMITED';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  /** The application layer turns a workflow refusal into the error it throws. */
  static fromRefusal(refusal: Refusal): DomainError {
    return new DomainError(refusal.code, refusal.message, refusal.field);
  }
}
