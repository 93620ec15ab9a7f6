import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppError } from '../common/errors/app-error';
import { toErrorResponse } from '../common/errors/error-response';
import { HttpEvent, isHttpEvent, toRequest, toResult, V1Result, V2Result } from './lambda-events';

/** The routes a Lambda function answers: the stateless classification routes (docs/deploy/aws-lambda.md). */
export const LAMBDA_PATHS: readonly string[] = ['/sentiment', '/batch-sentiment'];

export type LambdaHandler = (event: unknown) => Promise<V1Result | V2Result>;

/** The server's own 404 body (the one error map), for paths a function does not serve. */
function notServed(event: HttpEvent, method: string, path: string): V1Result | V2Result {
  const error = toErrorResponse(
    new AppError('NOT_FOUND', `Route ${method} ${path} is not served by the Lambda function (it serves POST ${LAMBDA_PATHS.join(', POST ')})`),
    { method, path, contentType: undefined, bodyLimitBytes: 0, methodsFor: () => [] },
  );
  return toResult(event, {
    statusCode: error.status,
    headers: { ...error.headers, 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(error.body),
  });
}

/**
 * A Lambda handler over the application built once per container (`app`: started at init, so the model loads
 * before the first event, not per call). Each API Gateway REST (v1), HTTP API (v2) or Function URL event is
 * dispatched through Fastify's inject(), so its answer (body, status, headers, errors) is the server's own for
 * the same request, by construction; no socket is opened.
 */
export function createLambdaHandler(app: Promise<NestFastifyApplication>): LambdaHandler {
  const fastify = app.then(async (built) => {
    const instance = built.getHttpAdapter().getInstance();
    await instance.ready();
    return instance;
  });
  // A failed init is reported by every invocation (below); this only keeps it from being an unhandled rejection.
  fastify.catch(() => undefined);
  return async (event) => {
    if (!isHttpEvent(event)) {
      throw new TypeError('Expected an API Gateway (REST or HTTP API) or Function URL event, with httpMethod and path or version 2.0 and rawPath');
    }
    const request = toRequest(event);
    const path = request.url.split('?')[0];
    if (!LAMBDA_PATHS.includes(path)) return notServed(event, request.method, path);
    const response = await (await fastify).inject({
      method: request.method as 'POST',
      url: request.url,
      headers: request.headers,
      payload: request.payload,
    });
    return toResult(event, { statusCode: response.statusCode, headers: response.headers, body: response.body });
  };
}
