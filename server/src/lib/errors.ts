import { ERROR_MESSAGES, ERROR_STATUS, type ErrorCode, type ErrorDetail } from '@pioneer/shared';

/** The one error type services throw; the error handler turns it into the contract's body. */
export class AppError extends Error {
  readonly statusCode: number;
  readonly code: ErrorCode;
  readonly details?: ErrorDetail[];
  readonly headers?: Record<string, string>;

  constructor(code: ErrorCode, message?: string, opts: { details?: ErrorDetail[]; headers?: Record<string, string> } = {}) {
    super(message ?? ERROR_MESSAGES[code]);
    this.name = 'AppError';
    this.code = code;
    this.statusCode = ERROR_STATUS[code];
    this.details = opts.details;
    // Every 503 tells the client when to try again (contract v2).
    this.headers = code === 'SERVICE_UNAVAILABLE' ? { 'retry-after': '1', ...opts.headers } : opts.headers;
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

export const notFound = (message?: string) => new AppError('NOT_FOUND', message);
export const forbidden = (message?: string) => new AppError('FORBIDDEN', message);
export const invalid = (path: string, reason: string, message?: string) =>
  new AppError('VALIDATION_FAILED', message, { details: [{ path, reason }] });
