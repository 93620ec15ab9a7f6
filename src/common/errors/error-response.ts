import { HttpException, HttpStatus } from '@nestjs/common';
import { AppError, ErrorDetail } from './app-error';
import type { ErrorBodyDto } from './error-body.dto';
import { AppErrorCode, ERROR_HTTP, GENERIC_MESSAGES, isAppErrorCode } from './error-codes';

/** What the mapping needs to know about the request that failed. */
export interface ErrorContext {
  method: string;
  /** URL path without the query string. */
  path: string;
  contentType: string | undefined;
  bodyLimitBytes: number;
  /** HTTP methods that have a route matching `path`. */
  methodsFor(path: string): string[];
}

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: ErrorBodyDto;
  /** True for server-side failures, which are logged with their details. */
  isServerError: boolean;
}

interface Classified {
  code: AppErrorCode;
  message: string;
  details?: ErrorDetail[];
  allow?: string[];
}

/**
 * Turns anything thrown while handling a request into the one error response: status from ERROR_HTTP,
 * body `{"error": {"code", "message", "details"?}}`, Retry-After / Allow headers where they apply.
 * Pure, so every branch is unit-tested without a server.
 */
export function toErrorResponse(exception: unknown, ctx: ErrorContext): ErrorResponse {
  const classified = classify(exception, ctx);
  const mapping = ERROR_HTTP[classified.code];
  const message = mapping.expose
    ? classified.message
    : (GENERIC_MESSAGES[classified.code] ?? GENERIC_MESSAGES.INTERNAL!);
  const headers: Record<string, string> = {};
  if (mapping.retryAfterSeconds !== undefined) headers['retry-after'] = String(mapping.retryAfterSeconds);
  if (classified.allow) headers['allow'] = classified.allow.join(', ');
  const body: ErrorBodyDto = { error: { code: classified.code, message } };
  if (mapping.expose && classified.details && classified.details.length > 0) body.error.details = classified.details;
  return { status: mapping.status, headers, body, isServerError: mapping.status >= 500 && !mapping.expose };
}

function classify(exception: unknown, ctx: ErrorContext): Classified {
  if (exception instanceof AppError) {
    return { code: exception.code, message: exception.message, details: exception.details };
  }
  if (exception instanceof HttpException) return classifyHttpException(exception, ctx);
  // Errors of the native engine carry one of its stable codes. Checked by shape, not `instanceof Error`: the
  // addon creates its errors in the realm it was loaded in, which need not be this module's (jest's contexts).
  if (isCodedError(exception)) return { code: exception.code, message: exception.message };
  return { code: 'INTERNAL', message: 'Internal server error' };
}

function isCodedError(value: unknown): value is { code: AppErrorCode; message: string } {
  if (typeof value !== 'object' || value === null) return false;
  const { code, message } = value as { code?: unknown; message?: unknown };
  return isAppErrorCode(code) && typeof message === 'string';
}

/** HttpExceptions come from Nest (unknown route) and from Fastify's body handling (mapped by Nest). */
function classifyHttpException(exception: HttpException, ctx: ErrorContext): Classified {
  const status = exception.getStatus();
  switch (status) {
    case HttpStatus.NOT_FOUND: {
      const methods = ctx.methodsFor(ctx.path);
      if (methods.includes(ctx.method)) return { code: 'NOT_FOUND', message: exception.message };
      if (methods.length > 0) {
        return {
          code: 'METHOD_NOT_ALLOWED',
          message: `Method ${ctx.method} is not allowed on ${ctx.path}; allowed: ${methods.join(', ')}`,
          allow: methods,
        };
      }
      return { code: 'NOT_FOUND', message: `No route matches ${ctx.method} ${ctx.path}; see /docs for the API` };
    }
    case HttpStatus.METHOD_NOT_ALLOWED:
      return { code: 'METHOD_NOT_ALLOWED', message: exception.message };
    case HttpStatus.PAYLOAD_TOO_LARGE:
      return {
        code: 'PAYLOAD_TOO_LARGE',
        message: `Request body is larger than the limit of ${ctx.bodyLimitBytes} bytes`,
      };
    case HttpStatus.UNSUPPORTED_MEDIA_TYPE:
      return {
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: ctx.contentType
          ? `Content-Type ${JSON.stringify(ctx.contentType)} is not supported; send the body as application/json`
          : 'The request has a body but no Content-Type header; send the body as application/json',
      };
    case HttpStatus.TOO_MANY_REQUESTS:
      return { code: 'OVERLOADED', message: exception.message };
    case HttpStatus.SERVICE_UNAVAILABLE:
      return { code: 'NOT_READY', message: exception.message };
    default:
      return status >= 400 && status < 500
        ? { code: 'BAD_REQUEST', message: exception.message }
        : { code: 'INTERNAL', message: exception.message };
  }
}
