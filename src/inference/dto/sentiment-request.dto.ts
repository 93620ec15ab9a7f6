import { ApiProperty } from '@nestjs/swagger';
import { IsRequiredString } from '../../common/validation/validators';

export class SentimentRequestDto {
  @ApiProperty({
    description:
      'Text to classify, at most MAX_TEXT_CHARS Unicode characters (default 10000). Empty and whitespace-only ' +
      'texts are valid: the model classifies them like any other input.',
    example: 'I absolutely loved this movie! The acting was superb.',
  })
  @IsRequiredString()
  text: string;
}
