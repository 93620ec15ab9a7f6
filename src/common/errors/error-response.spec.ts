import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import { runInNewContext } from 'node:vm';
import { AppError } from './app-error';
import { ErrorContext, toErrorResponse } from './error-response';

const ROUTES: Record<string, string[]> = { '/sentiment': ['POST'], '/': ['GET', 'HEAD'] };

function ctx(overrides: Partial<ErrorContext> = {}): ErrorContext {
  return {
    method: 'POST',
    path: '/sentiment',
    contentType: 'application/json',
    bodyLimitBytes: 1024,
    methodsFor: (path) => ROUTES[path] ?? [],
    ...overrides,
  };
}

function engineError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('toErrorResponse', () => {
  it('maps an AppError by its code, with details', () => {
    const response = toErrorResponse(
      new AppError('VALIDATION_FAILED', 'text is required (a string)', [{ field: 'text', message: 'text is required (a string)' }]),
      ctx(),
    );
    expect(response).toEqual({
      status: 400,
      headers: {},
      body: {
        error: {
          code: 'VALIDATION_FAILED',
          message: 'text is required (a string)',
          details: [{ field: 'text', message: 'text is required (a string)' }],
        },
      },
      isServerError: false,
    });
  });

  it('omits empty details', () => {
    expect(toErrorResponse(new AppError('INVALID_JSON', 'bad', []), ctx()).body).toEqual({ error: { code: 'INVALID_JSON', message: 'bad' } });
  });

  it.each([
    ['INVALID_ARGUMENT', 400],
    ['MODEL_NOT_FOUND', 422],
    ['FILE_MISSING', 422],
    ['MODEL_INVALID', 422],
    ['TOKENIZER_INVALID', 422],
    ['TOKENIZER_UNSUPPORTED', 422],
    ['CONFIG_INVALID', 422],
    ['ENGINE_CLOSED', 503],
  ])('maps the engine code %s to %i with its message', (code, status) => {
    const response = toErrorResponse(engineError(code, 'engine says so'), ctx());
    expect(response.status).toBe(status);
    expect(response.body.error).toEqual({ code, message: 'engine says so' });
  });

  it.each(['INFERENCE_FAILED', 'INTERNAL'])('hides the message of the engine code %s behind a generic one', (code) => {
    const response = toErrorResponse(engineError(code, 'at /secret/path line 3'), ctx());
    expect(response.status).toBe(500);
    expect(response.isServerError).toBe(true);
    expect(response.body.error.code).toBe(code);
    expect(response.body.error.message).not.toContain('secret');
  });

  it('answers an unknown error as INTERNAL without leaking it', () => {
    const response = toErrorResponse(new TypeError("Cannot read properties of undefined (reading 'x')"), ctx());
    expect(response.status).toBe(500);
    expect(response.body).toEqual({ error: { code: 'INTERNAL', message: 'Internal server error. The error has been logged.' } });
    expect(response.isServerError).toBe(true);
  });

  it('answers errors with foreign codes as INTERNAL', () => {
    expect(toErrorResponse(engineError('ECONNRESET', 'socket hang up'), ctx()).body.error.code).toBe('INTERNAL');
  });

  it('maps an engine error created in another realm (as the addon may) by its code', () => {
    const foreign = runInNewContext("Object.assign(new Error('The engine is overloaded'), { code: 'OVERLOADED' })");
    expect(foreign instanceof Error).toBe(false);
    expect(toErrorResponse(foreign, ctx())).toMatchObject({
      status: 429,
      headers: { 'retry-after': '1' },
      body: { error: { code: 'OVERLOADED', message: 'The engine is overloaded' } },
    });
  });

  it('adds Retry-After to OVERLOADED and NOT_READY', () => {
    expect(toErrorResponse(new AppError('OVERLOADED', 'busy'), ctx())).toMatchObject({ status: 429, headers: { 'retry-after': '1' } });
    expect(toErrorResponse(new AppError('NOT_READY', 'loading'), ctx())).toMatchObject({ status: 503, headers: { 'retry-after': '5' } });
  });

  it('maps an unknown route to NOT_FOUND', () => {
    const response = toErrorResponse(new NotFoundException('Cannot GET /nope'), ctx({ method: 'GET', path: '/nope' }));
    expect(response.status).toBe(404);
    expect(response.body.error).toEqual({ code: 'NOT_FOUND', message: 'No route matches GET /nope; see /docs for the API' });
  });

  it('maps a known route with the wrong method to METHOD_NOT_ALLOWED with Allow', () => {
    const response = toErrorResponse(new NotFoundException('Cannot GET /sentiment'), ctx({ method: 'GET' }));
    expect(response).toMatchObject({
      status: 405,
      headers: { allow: 'POST' },
      body: { error: { code: 'METHOD_NOT_ALLOWED', message: 'Method GET is not allowed on /sentiment; allowed: POST' } },
    });
  });

  it('keeps the message of a NotFoundException thrown by a handler', () => {
    const response = toErrorResponse(new NotFoundException('job 42 not found'), ctx());
    expect(response.body.error).toEqual({ code: 'NOT_FOUND', message: 'job 42 not found' });
  });

  it('maps Fastify body errors', () => {
    expect(toErrorResponse(new HttpException('Request body is too large', 413), ctx())).toMatchObject({
      status: 413,
      body: { error: { code: 'PAYLOAD_TOO_LARGE', message: 'Request body is larger than the limit of 1024 bytes' } },
    });
    expect(toErrorResponse(new HttpException('Unsupported Media Type', 415), ctx({ contentType: 'text/plain' }))).toMatchObject({
      status: 415,
      body: { error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.stringContaining('"text/plain" is not supported') } },
    });
    expect(toErrorResponse(new HttpException('Unsupported Media Type', 415), ctx({ contentType: undefined })).body.error.message).toContain(
      'no Content-Type header',
    );
    expect(toErrorResponse(new BadRequestException('bad content-length'), ctx())).toMatchObject({
      status: 400,
      body: { error: { code: 'BAD_REQUEST', message: 'bad content-length' } },
    });
  });

  it('maps an HttpException 5xx to INTERNAL', () => {
    expect(toErrorResponse(new HttpException('boom', 502), ctx())).toMatchObject({ status: 500, body: { error: { code: 'INTERNAL' } } });
  });
});
