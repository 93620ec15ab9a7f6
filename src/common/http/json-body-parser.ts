import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors/app-error';

/**
 * Makes application/json the only accepted request body type (anything else is answered 415 by Fastify,
 * which the global filter turns into UNSUPPORTED_MEDIA_TYPE), with the configured size limit (413 beyond).
 * Replaces Fastify's text/plain and JSON parsers and Nest's urlencoded one (create the app with
 * `bodyParser: false`), so a form or plain-text body never reaches a handler.
 */
export function registerJsonBodyParser(fastify: FastifyInstance, bodyLimitBytes: number): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: bodyLimitBytes }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}

/** Parses a JSON request body; invalid JSON and prototype-poisoning keys are INVALID_JSON errors. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') throw new AppError('INVALID_JSON', 'The request body is empty; expected a JSON object');
  try {
    // The reviver runs once per value, which costs more than the parse itself; a body can only hold a forbidden
    // key if the key is written out, or hidden behind a \u escape (JSON has no other escape for letters or '_').
    if (!text.includes('__proto__') && !text.includes('constructor') && !text.includes('\\u')) return JSON.parse(text) as unknown;
    return JSON.parse(text, (key, value: unknown) => {
      if (key === '__proto__' || (key === 'constructor' && typeof value === 'object' && value !== null && 'prototype' in value)) {
        throw new ForbiddenKeyError(key);
      }
      return value;
    });
  } catch (error) {
    if (error instanceof ForbiddenKeyError) {
      throw new AppError('INVALID_JSON', `The request body contains the forbidden key ${JSON.stringify(error.key)}`);
    }
    throw new AppError('INVALID_JSON', `The request body is not valid JSON: ${(error as Error).message}`);
  }
}

class ForbiddenKeyError extends Error {
  constructor(readonly key: string) {
    super(key);
  }
}
