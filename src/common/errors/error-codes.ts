import { HttpStatus } from '@nestjs/common';
import type { ErrorCode as EngineErrorCode } from '../../../lib';

/** Codes the HTTP service adds to the engine's own (lib/index.d.ts `ErrorCode`). */
export type ServiceErrorCode =
  /** The request body or a field failed validation. */
  | 'VALIDATION_FAILED'
  /** The request body is not valid JSON. */
  | 'INVALID_JSON'
  /** The request body is larger than BODY_LIMIT_BYTES. */
  | 'PAYLOAD_TOO_LARGE'
  /** The request body is not application/json. */
  | 'UNSUPPORTED_MEDIA_TYPE'
  /** No such route, or no such resource. */
  | 'NOT_FOUND'
  /** The route exists but not for this method (the Allow header lists those that do). */
  | 'METHOD_NOT_ALLOWED'
  /** Any other malformed request (e.g. a bad Content-Length). */
  | 'BAD_REQUEST'
  /** The model is not loaded (starting up or shutting down). */
  | 'NOT_READY'
  /** The request is well formed but names something the model does not know (e.g. a feedback label). */
  | 'UNKNOWN_LABEL'
  /** The database could not commit the work (disk full, read-only): nothing was accepted; retry later. */
  | 'STORAGE_UNAVAILABLE'
  /** An admin route was called without `Authorization: Bearer <ADMIN_TOKEN>`, or with a wrong token. */
  | 'UNAUTHORIZED'
  /** An admin route was called while no ADMIN_TOKEN is configured: admin routes are off. */
  | 'ADMIN_DISABLED'
  /** No registered model version has this name. */
  | 'MODEL_VERSION_NOT_FOUND'
  /** A version with this name is already registered with other content (versions are immutable). */
  | 'MODEL_VERSION_CONFLICT'
  /** A model_path resolves (symlinks followed) outside MODEL_IMPORT_ROOT, or imports are off. */
  | 'MODEL_PATH_FORBIDDEN'
  /** The version's labels differ from production's and the call did not say allow_label_change. */
  | 'MODEL_LABELS_CHANGED'
  /** The version failed validation: smoke batch not finite or labels wrong, or accuracy below MODEL_MIN_ACCURACY. */
  | 'MODEL_VALIDATION_FAILED'
  /** Another activation is running; one at a time. Retry when it is done. */
  | 'ACTIVATION_IN_PROGRESS'
  /** The change needs a role that is empty (rollback without a previous production, promote without a canary). */
  | 'MODEL_ROLE_EMPTY'
  /** The version has a role (production, canary, shadow) and cannot be deleted or given another one. */
  | 'MODEL_VERSION_IN_USE';

export type AppErrorCode = EngineErrorCode | ServiceErrorCode;

export interface ErrorHttpMapping {
  status: HttpStatus;
  /** Sent as the Retry-After header (seconds). */
  retryAfterSeconds?: number;
  /**
   * Whether the error's own message is shown to the client. Server-side failures are answered with a generic
   * message (and logged with their details), so no internals leak.
   */
  expose: boolean;
}

/**
 * THE map from error code to HTTP status: every error the service answers goes through it. Typed over every
 * engine and service code, so a code added to the engine's contract fails the type check until mapped here.
 */
export const ERROR_HTTP: { readonly [C in AppErrorCode]: ErrorHttpMapping } = {
  // Engine codes.
  INVALID_ARGUMENT: { status: HttpStatus.BAD_REQUEST, expose: true },
  // A model directory that cannot be loaded is a request the server understood but cannot process (these can
  // only arise from a load request; at boot they stop the process instead).
  MODEL_NOT_FOUND: { status: HttpStatus.UNPROCESSABLE_ENTITY, expose: true },
  FILE_MISSING: { status: HttpStatus.UNPROCESSABLE_ENTITY, expose: true },
  MODEL_INVALID: { status: HttpStatus.UNPROCESSABLE_ENTITY, expose: true },
  TOKENIZER_INVALID: { status: HttpStatus.UNPROCESSABLE_ENTITY, expose: true },
  TOKENIZER_UNSUPPORTED: { status: HttpStatus.UNPROCESSABLE_ENTITY, expose: true },
  CONFIG_INVALID: { status: HttpStatus.UNPROCESSABLE_ENTITY, expose: true },
  INFERENCE_FAILED: { status: HttpStatus.INTERNAL_SERVER_ERROR, expose: false },
  ENGINE_CLOSED: { status: HttpStatus.SERVICE_UNAVAILABLE, retryAfterSeconds: 5, expose: true },
  // The engine's queue is full: retry shortly.
  OVERLOADED: { status: HttpStatus.TOO_MANY_REQUESTS, retryAfterSeconds: 1, expose: true },
  // The request waited in the queue past its deadline without costing compute: the server is busy.
  TIMEOUT: { status: HttpStatus.SERVICE_UNAVAILABLE, retryAfterSeconds: 1, expose: true },
  // The caller went away (its request was aborted) before the work ran; nginx's 499 "client closed request".
  CANCELLED: { status: 499 as HttpStatus, expose: true },
  // Only a model load can ask for a device; like the other load failures it is a request that cannot be served.
  DEVICE_UNAVAILABLE: { status: HttpStatus.UNPROCESSABLE_ENTITY, expose: true },
  INTERNAL: { status: HttpStatus.INTERNAL_SERVER_ERROR, expose: false },
  // Service codes.
  VALIDATION_FAILED: { status: HttpStatus.BAD_REQUEST, expose: true },
  INVALID_JSON: { status: HttpStatus.BAD_REQUEST, expose: true },
  BAD_REQUEST: { status: HttpStatus.BAD_REQUEST, expose: true },
  NOT_FOUND: { status: HttpStatus.NOT_FOUND, expose: true },
  METHOD_NOT_ALLOWED: { status: HttpStatus.METHOD_NOT_ALLOWED, expose: true },
  PAYLOAD_TOO_LARGE: { status: HttpStatus.PAYLOAD_TOO_LARGE, expose: true },
  UNSUPPORTED_MEDIA_TYPE: { status: HttpStatus.UNSUPPORTED_MEDIA_TYPE, expose: true },
  NOT_READY: { status: HttpStatus.SERVICE_UNAVAILABLE, retryAfterSeconds: 5, expose: true },
  UNKNOWN_LABEL: { status: HttpStatus.UNPROCESSABLE_ENTITY, expose: true },
  STORAGE_UNAVAILABLE: { status: HttpStatus.SERVICE_UNAVAILABLE, retryAfterSeconds: 5, expose: true },
  UNAUTHORIZED: { status: HttpStatus.UNAUTHORIZED, expose: true },
  ADMIN_DISABLED: { status: HttpStatus.FORBIDDEN, expose: true },
  MODEL_VERSION_NOT_FOUND: { status: HttpStatus.NOT_FOUND, expose: true },
  MODEL_VERSION_CONFLICT: { status: HttpStatus.CONFLICT, expose: true },
  MODEL_PATH_FORBIDDEN: { status: HttpStatus.FORBIDDEN, expose: true },
  MODEL_LABELS_CHANGED: { status: HttpStatus.CONFLICT, expose: true },
  MODEL_VALIDATION_FAILED: { status: HttpStatus.UNPROCESSABLE_ENTITY, expose: true },
  ACTIVATION_IN_PROGRESS: { status: HttpStatus.CONFLICT, retryAfterSeconds: 5, expose: true },
  MODEL_ROLE_EMPTY: { status: HttpStatus.CONFLICT, expose: true },
  MODEL_VERSION_IN_USE: { status: HttpStatus.CONFLICT, expose: true },
};

/** The message clients see for errors whose mapping does not expose their own. */
export const GENERIC_MESSAGES: Partial<Record<AppErrorCode, string>> = {
  INFERENCE_FAILED: 'Inference failed. The error has been logged.',
  INTERNAL: 'Internal server error. The error has been logged.',
};

export function isAppErrorCode(code: unknown): code is AppErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(ERROR_HTTP, code);
}
