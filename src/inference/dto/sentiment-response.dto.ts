import { ApiProperty } from '@nestjs/swagger';

export class SentimentResponseDto {
  @ApiProperty({ description: 'The input text, unchanged.', example: 'I absolutely loved this movie! The acting was superb.' })
  text: string;

  @ApiProperty({ description: "The most probable label (from the model's id2label).", example: 'POSITIVE' })
  label: string;

  @ApiProperty({ description: 'Its probability (softmax), between 0 and 1.', example: 0.9987, minimum: 0, maximum: 1 })
  score: number;
}
