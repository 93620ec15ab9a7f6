import { Transform } from 'class-transformer';
import { IsString } from 'class-validator';
import { BatchSentimentRequestDto } from '../../inference/dto/batch-sentiment-request.dto';
import { SentimentRequestDto } from '../../inference/dto/sentiment-request.dto';
import { JobQueryDto } from '../../jobs/dto/job-query.dto';
import { compilePlainDtoCheck } from './plain-dto-check';
import { IsNonEmptyString, IsRequiredString } from './validators';

class TwoFields {
  @IsRequiredString()
  text: string;

  @IsNonEmptyString()
  label: string;
}

class WithTransform {
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsRequiredString()
  text: string;
}

class WithForeignRule {
  @IsString()
  text: string;
}

class TwoRulesOnOneField {
  @IsRequiredString()
  @IsNonEmptyString()
  text: string;
}

class NoRules {
  text: string;
}

describe('compilePlainDtoCheck', () => {
  it('turns a valid body of a simple DTO into an instance of the DTO with exactly its fields', () => {
    const single = compilePlainDtoCheck(SentimentRequestDto)!;
    const dto = single({ text: 'hello' });
    expect(dto).toBeInstanceOf(SentimentRequestDto);
    expect(dto).toEqual({ text: 'hello' });
    expect(single({ text: '' })).toEqual({ text: '' });
    expect(compilePlainDtoCheck(BatchSentimentRequestDto)!({ texts: ['a', ''] })).toEqual({ texts: ['a', ''] });
    expect(compilePlainDtoCheck(TwoFields)!({ label: 'POSITIVE', text: 't' })).toEqual({ text: 't', label: 'POSITIVE' });
  });

  it.each([
    [{}],
    [{ text: 42 }],
    [{ text: null }],
    [{ text: 'ok', extra: 1 }],
    [{ extra: 'ok' }],
  ])('leaves the body %j to the full validation path', (body) => {
    expect(compilePlainDtoCheck(SentimentRequestDto)!(body)).toBeUndefined();
  });

  it.each([[{ texts: [] }], [{ texts: ['a', 2] }], [{ texts: 'a' }], [{ texts: ['a'], text: 'b' }]])(
    'leaves the batch body %j to the full validation path',
    (body) => {
      expect(compilePlainDtoCheck(BatchSentimentRequestDto)!(body)).toBeUndefined();
    },
  );

  it('does not take an inherited property of the body for a field', () => {
    const body = Object.create({ text: 'from the prototype' }) as Record<string, unknown>;
    expect(compilePlainDtoCheck(SentimentRequestDto)!(body)).toBeUndefined();
  });

  it.each([
    ['a class-transformer @Transform', WithTransform],
    ['a class-validator rule of its own', WithForeignRule],
    ['two rules on one field', TwoRulesOnOneField],
    ['no rules at all', NoRules],
    ['query parameters converted to numbers', JobQueryDto],
  ])('gives no fast check for a DTO with %s', (_what, metatype) => {
    expect(compilePlainDtoCheck(metatype as new () => object)).toBeNull();
  });
});
