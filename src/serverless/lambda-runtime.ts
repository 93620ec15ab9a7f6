import { createApp } from '../app.factory';
import { createRootLogger } from '../logging/root-logger';
import { describeStartupFailure } from '../main';
import { createLambdaHandler, LambdaHandler } from './lambda.handler';

/**
 * A Lambda custom runtime (the Runtime API, 2018-06-01): the container image's entry point. It builds the app
 * (validated configuration, model loaded and warmed) during the function's init phase, then asks for events one
 * at a time and answers each through the handler. Being its own runtime lets the image run on the same Debian
 * base and native build as the server (Lambda's Amazon Linux base images have an older glibc).
 */
const API = '2018-06-01/runtime';

async function post(api: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<void> {
  const response = await fetch(`http://${api}/${API}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`The Lambda Runtime API answered ${response.status} to POST ${path}`);
}

function errorPayload(error: unknown) {
  const e = error instanceof Error ? error : new Error(String(error));
  return { errorType: e.name, errorMessage: e.message, stackTrace: (e.stack ?? '').split('\n').slice(1) };
}

/**
 * Serves events from the Runtime API at `api` (host:port) until `signal` aborts. `init` is awaited first; its
 * failure is reported to /init/error (Lambda then fails the init phase with that message) and rethrown.
 */
export async function runLambdaRuntime(api: string, init: Promise<LambdaHandler>, signal?: AbortSignal): Promise<void> {
  let handler: LambdaHandler;
  try {
    handler = await init;
  } catch (error) {
    await post(api, 'init/error', errorPayload(error), { 'lambda-runtime-function-error-type': 'Runtime.InitError' });
    throw error;
  }
  while (!signal?.aborted) {
    let next: Response;
    try {
      next = await fetch(`http://${api}/${API}/invocation/next`, { signal });
    } catch (error) {
      if (signal?.aborted) return;
      throw error;
    }
    const requestId = next.headers.get('lambda-runtime-aws-request-id');
    const event: unknown = await next.json();
    if (!requestId) throw new Error('The Lambda Runtime API sent an event without Lambda-Runtime-Aws-Request-Id');
    try {
      const result = await handler(event);
      await post(api, `invocation/${requestId}/response`, result);
    } catch (error) {
      await post(api, `invocation/${requestId}/error`, errorPayload(error), { 'lambda-runtime-function-error-type': 'Unhandled' });
    }
  }
}

/** Builds the app and a handler over it; resolves once the model is loaded and the server is ready to answer. */
export async function initLambdaHandler(): Promise<LambdaHandler> {
  const app = await createApp();
  return createLambdaHandler(Promise.resolve(app));
}

if (require.main === module) {
  // Set by Lambda itself (the platform's contract, not one of this service's settings).
  const api = process.env.AWS_LAMBDA_RUNTIME_API;
  if (!api) {
    process.stderr.write('lambda-runtime: AWS_LAMBDA_RUNTIME_API is not set: this entry point runs inside AWS Lambda (or its runtime interface emulator)\n');
    process.exit(1);
  }
  runLambdaRuntime(api, initLambdaHandler()).catch((error: unknown) => {
    createRootLogger('info').fatal({ context: 'Lambda' }, `Lambda runtime stopped. ${describeStartupFailure(error)}`);
    process.exit(1);
  });
}
