import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../app.factory';
import { createLambdaHandler, LambdaHandler } from './lambda.handler';

/**
 * The handler with the real app (demo model) on events shaped as AWS documents them, each answer compared with
 * the same request sent to the same app listening on a socket.
 */
const POSITIVE = 'I absolutely loved this movie! The acting was superb.';

/** API Gateway REST API, proxy integration (payload format 1.0), as in AWS's documented example. */
function restV1Event(method: string, path: string, body: string | null, headers: Record<string, string> = {}) {
  return {
    resource: path,
    path,
    httpMethod: method,
    headers: { Accept: '*/*', 'Content-Type': 'application/json', Host: 'abc123.execute-api.eu-west-1.amazonaws.com', ...headers },
    multiValueHeaders: { Accept: ['*/*'], 'Content-Type': ['application/json'] },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      resourceId: 'abc1', resourcePath: path, httpMethod: method, path: `/prod${path}`, stage: 'prod',
      accountId: '123456789012', apiId: 'abc123', protocol: 'HTTP/1.1', requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      identity: { sourceIp: '203.0.113.7', userAgent: 'curl/8.5.0' }, requestTimeEpoch: 1700000000000,
    },
    body,
    isBase64Encoded: false,
  };
}

/** HTTP API (payload format 2.0) on a named stage, or a Function URL (no stage, base64 bodies are common). */
function v2Event(method: string, rawPath: string, body: string | undefined, options: { stage?: string; base64?: boolean } = {}) {
  return {
    version: '2.0',
    routeKey: options.stage ? `${method} ${rawPath.replace(`/${options.stage}`, '')}` : '$default',
    rawPath,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', host: 'abcdefg.lambda-url.eu-west-1.on.aws', 'x-forwarded-proto': 'https' },
    requestContext: {
      accountId: '123456789012', apiId: 'abcdefg', domainName: 'abcdefg.lambda-url.eu-west-1.on.aws',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'curl/8.5.0' },
      requestId: 'id', routeKey: '$default', stage: options.stage ?? '$default', time: '12/Mar/2024:19:03:58 +0000', timeEpoch: 1710270238000,
    },
    body: body === undefined ? undefined : options.base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: Boolean(options.base64),
  };
}

describe('Lambda handler', () => {
  let app: NestFastifyApplication;
  let handler: LambdaHandler;
  let baseUrl: string;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'lambda-'));
    app = await createApp({ env: { DATA_DIR: dataDir, LOG_LEVEL: 'silent', MAX_BATCH_TEXTS: '4' } });
    handler = createLambdaHandler(Promise.resolve(app));
    await app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** The server's own answer to the same request, without what differs per request (prediction ids, timings). */
  async function server(method: string, path: string, body?: string) {
    const response = await fetch(baseUrl + path, { method, headers: { 'content-type': 'application/json' }, body });
    return { statusCode: response.status, body: withoutIds(await response.text()) };
  }
  function withoutIds(text: string): unknown {
    return JSON.parse(text, (key, value: unknown) => (key === 'prediction_id' ? '<id>' : key === 'processing_time' ? '<seconds>' : value));
  }

  it('answers a REST API (v1) POST /sentiment as the server does', async () => {
    const body = JSON.stringify({ text: POSITIVE });
    const result = await handler(restV1Event('POST', '/sentiment', body));
    expect(result.statusCode).toBe(200);
    expect(result.isBase64Encoded).toBe(false);
    expect(result.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(result.body)).toMatchObject({ text: POSITIVE, label: 'POSITIVE' });
    expect({ statusCode: result.statusCode, body: withoutIds(result.body) }).toEqual(await server('POST', '/sentiment', body));
  });

  it('answers an HTTP API (v2) POST /batch-sentiment on a named stage, the stage removed from the path', async () => {
    const body = JSON.stringify({ texts: [POSITIVE, 'Dreadful, boring and far too long.'] });
    const result = await handler(v2Event('POST', '/prod/batch-sentiment', body, { stage: 'prod' }));
    expect(result.statusCode).toBe(200);
    expect({ statusCode: result.statusCode, body: withoutIds(result.body) }).toEqual(await server('POST', '/batch-sentiment', body));
  });

  it('answers a Function URL event with a base64 body', async () => {
    const body = JSON.stringify({ text: POSITIVE });
    const result = await handler(v2Event('POST', '/sentiment', body, { base64: true }));
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ label: 'POSITIVE' });
  });

  it.each([
    ['a missing field', '/sentiment', '{}', 400, 'VALIDATION_FAILED'],
    ['invalid JSON', '/sentiment', '{"text": ', 400, 'INVALID_JSON'],
    ['more texts than MAX_BATCH_TEXTS', '/batch-sentiment', JSON.stringify({ texts: ['a', 'b', 'c', 'd', 'e'] }), 400, 'VALIDATION_FAILED'],
  ])('answers %s with the server error body and status', async (_what, path, body, status, code) => {
    for (const event of [restV1Event('POST', path, body), v2Event('POST', path, body)]) {
      const result = await handler(event);
      expect(result.statusCode).toBe(status);
      expect(JSON.parse(result.body).error.code).toBe(code);
      expect({ statusCode: result.statusCode, body: withoutIds(result.body) }).toEqual(await server('POST', path, body));
    }
  });

  it('answers the wrong method on a served path as the server does (405 with Allow)', async () => {
    const result = await handler(restV1Event('GET', '/sentiment', null));
    expect(result.statusCode).toBe(405);
    expect(result.headers.allow).toBe('POST');
    expect(JSON.parse(result.body).error.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('answers 404 NOT_FOUND, in the server error body, for the routes a function does not serve', async () => {
    const result = await handler(v2Event('POST', '/update-model', '{}'));
    expect(result.statusCode).toBe(404);
    expect(JSON.parse(result.body)).toEqual({
      error: { code: 'NOT_FOUND', message: expect.stringContaining('POST /update-model is not served by the Lambda function') },
    });
  });

  it('rejects an event that is not an HTTP event, naming what it expected', async () => {
    await expect(handler({ Records: [] })).rejects.toThrow('Expected an API Gateway (REST or HTTP API) or Function URL event');
  });
});
