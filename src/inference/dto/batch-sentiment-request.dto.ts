import { ApiProperty } from '@nestjs/swagger';
import { IsNonEmptyStringArray } from '../../common/validation/validators';

export class BatchSentimentRequestDto {
  @ApiProperty({
    type: [String],
    minItems: 1,
    description:
      'Texts to classify: 1 to MAX_BATCH_TEXTS (default 64), each at most MAX_TEXT_CHARS Unicode characters ' +
      '(default 10000). Empty strings are valid texts.',
    example: ['I absolutely loved this movie! The acting was superb.', 'What a waste of time. The plot made no sense at all.'],
  })
  @IsNonEmptyStringArray()
  texts: string[];
}
