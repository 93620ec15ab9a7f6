import { ERROR_HTTP } from '../../src/common/errors/error-codes';
import { RequestOptions, startServer, TestServer } from './support/server';

interface BadRequestCase {
  name: string;
  method: string;
  path: string;
  options?: RequestOptions;
  status: number;
  code: keyof typeof ERROR_HTTP;
  /** The message must match: it names the problem. */
  message: RegExp;
  headers?: Record<string, string>;
}

const json = (value: unknown): RequestOptions => ({ json: value });
const raw = (body: string, contentType?: string): RequestOptions => ({
  body,
  headers: contentType ? { 'content-type': contentType } : {},
});
const bytes = (body: string): RequestOptions => ({ body: new TextEncoder().encode(body) });

const MAX_TEXTS = 64;
const MAX_CHARS = 10_000;
const BODY_LIMIT = 1024 * 1024;

const CASES: BadRequestCase[] = [
  // Missing fields, wrong types, null, numbers.
  { name: 'missing text', method: 'POST', path: '/sentiment', options: json({}), status: 400, code: 'VALIDATION_FAILED', message: /^text is required/ },
  { name: 'text null', method: 'POST', path: '/sentiment', options: json({ text: null }), status: 400, code: 'VALIDATION_FAILED', message: /^text must be a string but received null$/ },
  { name: 'text number', method: 'POST', path: '/sentiment', options: json({ text: 42 }), status: 400, code: 'VALIDATION_FAILED', message: /^text must be a string but received the number 42$/ },
  { name: 'text boolean', method: 'POST', path: '/sentiment', options: json({ text: false }), status: 400, code: 'VALIDATION_FAILED', message: /text must be a string but received the boolean false/ },
  { name: 'text array', method: 'POST', path: '/sentiment', options: json({ text: ['a'] }), status: 400, code: 'VALIDATION_FAILED', message: /text must be a string but received an array/ },
  { name: 'text object', method: 'POST', path: '/sentiment', options: json({ text: { a: 1 } }), status: 400, code: 'VALIDATION_FAILED', message: /text must be a string but received an object/ },
  { name: 'unknown property', method: 'POST', path: '/sentiment', options: json({ text: 'ok', lang: 'en' }), status: 400, code: 'VALIDATION_FAILED', message: /property lang is not allowed/ },
  { name: 'body null', method: 'POST', path: '/sentiment', options: json(null), status: 400, code: 'VALIDATION_FAILED', message: /body must be a JSON object but received null/ },
  { name: 'body number', method: 'POST', path: '/sentiment', options: json(7), status: 400, code: 'VALIDATION_FAILED', message: /body must be a JSON object but received the number 7/ },
  { name: 'body string', method: 'POST', path: '/sentiment', options: json('hello'), status: 400, code: 'VALIDATION_FAILED', message: /body must be a JSON object but received a string/ },
  { name: 'body array', method: 'POST', path: '/batch-sentiment', options: json(['a', 'b']), status: 400, code: 'VALIDATION_FAILED', message: /body must be a JSON object but received an array/ },
  { name: 'no body at all', method: 'POST', path: '/sentiment', status: 400, code: 'VALIDATION_FAILED', message: /body must be a JSON object but received nothing/ },
  { name: 'missing texts', method: 'POST', path: '/batch-sentiment', options: json({}), status: 400, code: 'VALIDATION_FAILED', message: /^texts is required/ },
  { name: 'texts string', method: 'POST', path: '/batch-sentiment', options: json({ texts: 'hello' }), status: 400, code: 'VALIDATION_FAILED', message: /texts must be an array of strings but received a string/ },
  { name: 'texts null', method: 'POST', path: '/batch-sentiment', options: json({ texts: null }), status: 400, code: 'VALIDATION_FAILED', message: /texts must be an array of strings but received null/ },
  { name: 'texts empty', method: 'POST', path: '/batch-sentiment', options: json({ texts: [] }), status: 400, code: 'VALIDATION_FAILED', message: /texts must contain at least one text/ },
  { name: 'texts of numbers', method: 'POST', path: '/batch-sentiment', options: json({ texts: [1, 2] }), status: 400, code: 'VALIDATION_FAILED', message: /texts\[0\] must be a string but received the number 1 \(and 1 more/ },
  { name: 'texts with a null', method: 'POST', path: '/batch-sentiment', options: json({ texts: ['ok', null] }), status: 400, code: 'VALIDATION_FAILED', message: /texts\[1\] must be a string but received null/ },
  { name: 'text sent to the batch route', method: 'POST', path: '/batch-sentiment', options: json({ text: 'ok' }), status: 400, code: 'VALIDATION_FAILED', message: /property text is not allowed.*texts is required/ },
  // Configured limits.
  { name: 'too many texts', method: 'POST', path: '/batch-sentiment', options: json({ texts: Array(MAX_TEXTS + 1).fill('ok') }), status: 400, code: 'VALIDATION_FAILED', message: /texts must contain at most 64 texts but received 65/ },
  { name: 'too-long text', method: 'POST', path: '/sentiment', options: json({ text: 'x'.repeat(MAX_CHARS + 1) }), status: 400, code: 'VALIDATION_FAILED', message: /^text is 10001 characters long; the limit is 10000$/ },
  { name: 'too-long text in a batch', method: 'POST', path: '/batch-sentiment', options: json({ texts: ['ok', 'x'.repeat(MAX_CHARS + 1)] }), status: 400, code: 'VALIDATION_FAILED', message: /^texts\[1\] is 10001 characters long; the limit is 10000$/ },
  // Body encoding.
  { name: 'invalid JSON', method: 'POST', path: '/sentiment', options: raw('{"text": "unterminated', 'application/json'), status: 400, code: 'INVALID_JSON', message: /^The request body is not valid JSON: / },
  { name: 'trailing garbage', method: 'POST', path: '/sentiment', options: raw('{"text": "a"} x', 'application/json'), status: 400, code: 'INVALID_JSON', message: /not valid JSON/ },
  { name: 'empty JSON body', method: 'POST', path: '/sentiment', options: raw('', 'application/json'), status: 400, code: 'INVALID_JSON', message: /body is empty/ },
  { name: 'prototype poisoning', method: 'POST', path: '/sentiment', options: raw('{"text": "a", "__proto__": {"x": 1}}', 'application/json'), status: 400, code: 'INVALID_JSON', message: /forbidden key "__proto__"/ },
  { name: 'text/plain body', method: 'POST', path: '/sentiment', options: raw('I loved it', 'text/plain'), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: /Content-Type "text\/plain" is not supported; send the body as application\/json/ },
  { name: 'form body', method: 'POST', path: '/sentiment', options: raw('text=hello', 'application/x-www-form-urlencoded'), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: /x-www-form-urlencoded.*application\/json/ },
  { name: 'JSON without content-type', method: 'POST', path: '/sentiment', options: bytes('{"text": "hello"}'), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: /no Content-Type header/ },
  { name: 'oversized body', method: 'POST', path: '/batch-sentiment', options: json({ texts: Array(40).fill('y'.repeat(30_000)) }), status: 413, code: 'PAYLOAD_TOO_LARGE', message: /larger than the limit of 1048576 bytes/ },
  // Routing.
  { name: 'unknown route', method: 'GET', path: '/nope', status: 404, code: 'NOT_FOUND', message: /No route matches GET \/nope/ },
  { name: 'unknown POST route', method: 'POST', path: '/sentiments', options: json({ text: 'a' }), status: 404, code: 'NOT_FOUND', message: /No route matches POST \/sentiments/ },
  { name: 'unknown health route', method: 'GET', path: '/health/nope?x=1', status: 404, code: 'NOT_FOUND', message: /No route matches GET \/health\/nope;/ },
  { name: 'GET on a POST route', method: 'GET', path: '/sentiment', status: 405, code: 'METHOD_NOT_ALLOWED', message: /Method GET is not allowed on \/sentiment; allowed: POST/, headers: { allow: 'POST' } },
  { name: 'DELETE on a POST route', method: 'DELETE', path: '/batch-sentiment', status: 405, code: 'METHOD_NOT_ALLOWED', message: /Method DELETE is not allowed/, headers: { allow: 'POST' } },
  { name: 'POST on a GET route', method: 'POST', path: '/health', options: json({}), status: 405, code: 'METHOD_NOT_ALLOWED', message: /allowed: GET, HEAD/, headers: { allow: 'GET, HEAD' } },
];

describe('malformed requests (real engine, demo model)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer();
  });

  afterAll(async () => {
    await server?.close();
  });

  it('the oversized case really exceeds the body limit', () => {
    expect(JSON.stringify({ texts: Array(40).fill('y'.repeat(30_000)) }).length).toBeGreaterThan(BODY_LIMIT);
  });

  it.each(CASES)('$name -> $status $code', async ({ method, path, options, status, code, message, headers }) => {
    const response = await server.request(method, path, options);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(ERROR_HTTP[code].status).toBe(status);
    // The one error body: exactly {error: {code, message, details?}}, no stack, no framework fields.
    expect(Object.keys(response.body)).toEqual(['error']);
    expect(Object.keys(response.body.error).filter((k) => k !== 'details')).toEqual(['code', 'message']);
    expect(response.body.error.code).toBe(code);
    expect(response.body.error.message).toMatch(message);
    expect(response.text).not.toMatch(/\bat .+\.(js|ts):\d+/);
    for (const [name, value] of Object.entries(headers ?? {})) expect(response.headers.get(name)).toBe(value);
    // Then the server still answers normally.
    const after = await server.request('POST', '/sentiment', { json: { text: 'Still alive and well, a great day.' } });
    expect(after.status).toBe(200);
  });

  it('validation errors list their details with field paths', async () => {
    const { status, body } = await server.request('POST', '/batch-sentiment', { json: { texts: ['a', 'x'.repeat(MAX_CHARS + 1), 'y'.repeat(MAX_CHARS + 2)] } });
    expect(status).toBe(400);
    expect(body.error).toEqual({
      code: 'VALIDATION_FAILED',
      message: '2 texts are longer than the limit of 10000 characters',
      details: [
        { field: 'texts[1]', message: 'texts[1] is 10001 characters long; the limit is 10000' },
        { field: 'texts[2]', message: 'texts[2] is 10002 characters long; the limit is 10000' },
      ],
    });
  });

  it('still serves every endpoint after the whole table', async () => {
    expect((await server.request('GET', '/health')).status).toBe(200);
    expect((await server.request('GET', '/')).status).toBe(200);
    const batch = await server.request('POST', '/batch-sentiment', { json: { texts: ['good', 'bad'] } });
    expect(batch.status).toBe(200);
    expect(batch.body.results).toHaveLength(2);
  });
});
