import { ApiProperty } from '@nestjs/swagger';
import { IsNonEmptyStringArray } from '../../common/validation/validators';

export class AsyncSentimentRequestDto {
  @ApiProperty({
    type: [String],
    minItems: 1,
    description:
      'Texts to classify in the background: 1 to JOB_MAX_TEXTS (default 10000), each at most MAX_TEXT_CHARS Unicode ' +
      'characters (default 10000), within BODY_LIMIT_BYTES. Empty strings are valid texts. Results come back in this order.',
    example: ['I absolutely loved this movie! The acting was superb.', 'What a waste of time. The plot made no sense at all.'],
  })
  @IsNonEmptyStringArray()
  texts: string[];
}
