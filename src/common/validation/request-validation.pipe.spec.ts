import { ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import { BatchSentimentRequestDto } from '../../inference/dto/batch-sentiment-request.dto';
import { SentimentRequestDto } from '../../inference/dto/sentiment-request.dto';
import { AppError } from '../errors/app-error';
import { RequestValidationPipe } from './request-validation.pipe';

const pipe = new RequestValidationPipe();
const single: ArgumentMetadata = { type: 'body', metatype: SentimentRequestDto };
const batch: ArgumentMetadata = { type: 'body', metatype: BatchSentimentRequestDto };

async function failure(value: unknown, metadata: ArgumentMetadata): Promise<AppError> {
  try {
    await pipe.transform(value, metadata);
  } catch (error) {
    return error as AppError;
  }
  throw new Error('expected a validation failure');
}

describe('RequestValidationPipe', () => {
  it('passes valid bodies as DTO instances', async () => {
    const dto = await pipe.transform({ text: 'hello' }, single);
    expect(dto).toBeInstanceOf(SentimentRequestDto);
    expect(dto).toEqual({ text: 'hello' });
    await expect(pipe.transform({ texts: ['a', ''] }, batch)).resolves.toEqual({ texts: ['a', ''] });
  });

  it.each(['', '   ', '\n\t'])('accepts the empty or blank text %j', async (text) => {
    await expect(pipe.transform({ text }, single)).resolves.toEqual({ text });
  });

  it.each([
    [null, 'The request body must be a JSON object but received null'],
    [undefined, 'The request body must be a JSON object but received nothing'],
    [42, 'The request body must be a JSON object but received the number 42'],
    ['hello', 'The request body must be a JSON object but received a string'],
    [['hello'], 'The request body must be a JSON object but received an array'],
  ])('rejects the body %j', async (body, message) => {
    expect(await failure(body, single)).toMatchObject({ code: 'VALIDATION_FAILED', message });
  });

  it.each([
    [{}, 'text is required (a string)'],
    [{ text: null }, 'text must be a string but received null'],
    [{ text: 42 }, 'text must be a string but received the number 42'],
    [{ text: true }, 'text must be a string but received the boolean true'],
    [{ text: ['a'] }, 'text must be a string but received an array'],
    [{ text: { a: 1 } }, 'text must be a string but received an object'],
    [{ text: 'ok', extra: 1 }, 'property extra is not allowed'],
  ])('rejects the single body %j', async (body, message) => {
    const error = await failure(body, single);
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toBe(message);
    expect(error.details).toEqual([{ field: Object.keys(body).find((k) => k !== 'text') ?? 'text', message }]);
  });

  it.each([
    [{}, 'texts is required (an array of strings)'],
    [{ texts: null }, 'texts must be an array of strings but received null'],
    [{ texts: 'hello' }, 'texts must be an array of strings but received a string'],
    [{ texts: [] }, 'texts must contain at least one text'],
    [{ texts: ['a', 2] }, 'texts[1] must be a string but received the number 2'],
    [{ texts: [null, 'b', {}] }, 'texts[0] must be a string but received null (and 1 more non-string items)'],
    [{ text: 'a' }, '2 problems: property text is not allowed; texts is required (an array of strings)'],
  ])('rejects the batch body %j', async (body, message) => {
    expect(await failure(body, batch)).toMatchObject({ code: 'VALIDATION_FAILED', message });
  });

  it('does not convert types', async () => {
    expect((await failure({ texts: [1] }, batch)).message).toBe('texts[0] must be a string but received the number 1');
  });

  it('recognises a valid body of a simple DTO without class-validator, and sends every invalid one through it', async () => {
    const full = jest.spyOn(ValidationPipe.prototype, 'transform');
    try {
      await expect(pipe.transform({ text: 'fast' }, single)).resolves.toBeInstanceOf(SentimentRequestDto);
      await expect(pipe.transform({ texts: ['fast'] }, batch)).resolves.toEqual({ texts: ['fast'] });
      expect(full).not.toHaveBeenCalled();
      expect((await failure({ text: 'ok', extra: 1 }, single)).message).toBe('property extra is not allowed');
      expect(full).toHaveBeenCalledTimes(1);
    } finally {
      full.mockRestore();
    }
  });
});
