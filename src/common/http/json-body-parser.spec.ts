import { AppError } from '../errors/app-error';
import { parseJsonBody } from './json-body-parser';

function errorOf(text: string): AppError {
  try {
    parseJsonBody(text);
  } catch (error) {
    return error as AppError;
  }
  throw new Error('expected parseJsonBody to throw');
}

describe('parseJsonBody', () => {
  it('parses JSON', () => {
    expect(parseJsonBody('{"text": "hi", "n": [1, null]}')).toEqual({ text: 'hi', n: [1, null] });
  });

  it('rejects an empty body', () => {
    expect(errorOf('  ')).toMatchObject({ code: 'INVALID_JSON', message: 'The request body is empty; expected a JSON object' });
  });

  it('names the syntax error', () => {
    const error = errorOf('{"text": ');
    expect(error.code).toBe('INVALID_JSON');
    expect(error.message).toMatch(/^The request body is not valid JSON: /);
  });

  it('rejects prototype poisoning', () => {
    expect(errorOf('{"__proto__": {"x": 1}}')).toMatchObject({ code: 'INVALID_JSON', message: expect.stringContaining('__proto__') });
    expect(errorOf('{"a": {"constructor": {"prototype": {}}}}')).toMatchObject({ code: 'INVALID_JSON' });
  });

  it('rejects a forbidden key hidden behind \\u escapes', () => {
    expect(errorOf('{"\\u005f_proto__": {"x": 1}}')).toMatchObject({ code: 'INVALID_JSON', message: expect.stringContaining('__proto__') });
    expect(errorOf('{"a": {"\\u0063onstructor": {"prototype": {}}}}')).toMatchObject({ code: 'INVALID_JSON' });
  });

  it('parses texts that mention the forbidden words or carry escapes, as long as no key is forbidden', () => {
    expect(parseJsonBody('{"text": "the __proto__ constructor \\u00e9"}')).toEqual({ text: 'the __proto__ constructor é' });
    expect(parseJsonBody('{"constructor": "a string"}')).toEqual({ constructor: 'a string' });
  });
});
