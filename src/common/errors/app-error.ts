import type { AppErrorCode } from './error-codes';

/** One item of an error body's `details`: which part of the request, and what is wrong with it. */
export interface ErrorDetail {
  /** Path of the offending field, e.g. `text`, `texts[3]`; absent when the problem is not one field's. */
  field?: string;
  message: string;
  [extra: string]: unknown;
}

/**
 * The error the service throws on purpose. The global filter turns it into the one error body, with the
 * status ERROR_HTTP gives its code.
 */
export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = 'AppError';
  }
}
