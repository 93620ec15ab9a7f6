import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorBodyDto } from './error-body.dto';

const DESCRIPTIONS: Record<number, string> = {
  400: 'VALIDATION_FAILED or INVALID_JSON: the body is not what the endpoint expects (the message names the problem)',
  401: 'UNAUTHORIZED: an admin route without "Authorization: Bearer <ADMIN_TOKEN>", or with a wrong token',
  403: 'ADMIN_DISABLED: admin routes are off (ADMIN_TOKEN unset); MODEL_PATH_FORBIDDEN: model_path resolves outside MODEL_IMPORT_ROOT',
  404: 'NOT_FOUND: no such route, or the request names something that does not exist (the message names it)',
  409: 'MODEL_VERSION_CONFLICT, MODEL_LABELS_CHANGED, ACTIVATION_IN_PROGRESS, MODEL_ROLE_EMPTY, MODEL_VERSION_IN_USE: the change conflicts with the registry or the roles (the message says how)',
  413: 'PAYLOAD_TOO_LARGE: the body exceeds BODY_LIMIT_BYTES',
  415: 'UNSUPPORTED_MEDIA_TYPE: the body is not application/json',
  422: 'UNKNOWN_LABEL (and other well-formed requests naming what the model does not have): the message lists what is valid',
  429: 'OVERLOADED: too much work queued; retry after Retry-After seconds',
  500: 'INTERNAL or INFERENCE_FAILED (generic message; details are logged server side)',
  503: 'NOT_READY or ENGINE_CLOSED: the model is not loaded (starting or shutting down); STORAGE_UNAVAILABLE: the database cannot commit (retry after Retry-After seconds)',
};

/** Documents the error responses of an endpoint, all with the one error body. */
export function ApiErrorResponses(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) => ApiResponse({ status, description: DESCRIPTIONS[status], type: ErrorBodyDto })),
  );
}
