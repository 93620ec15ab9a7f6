import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorBodyDto } from './error-body.dto';

const DESCRIPTIONS: Record<number, string> = {
  400: 'VALIDATION_FAILED or INVALID_JSON: the body is not what the endpoint expects (the message names the problem)',
  404: 'NOT_FOUND: no such resource (the message names it)',
  413: 'PAYLOAD_TOO_LARGE: the body exceeds BODY_LIMIT_BYTES',
  415: 'UNSUPPORTED_MEDIA_TYPE: the body is not application/json',
  429: 'OVERLOADED: too much work queued; retry after Retry-After seconds',
  500: 'INTERNAL or INFERENCE_FAILED (generic message; details are logged server side)',
  503: 'NOT_READY or ENGINE_CLOSED: the model is not loaded (starting or shutting down)',
};

/** Documents the error responses of an endpoint, all with the one error body. */
export function ApiErrorResponses(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) => ApiResponse({ status, description: DESCRIPTIONS[status], type: ErrorBodyDto })),
  );
}
