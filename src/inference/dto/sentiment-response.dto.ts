import { ApiProperty } from '@nestjs/swagger';

/** One classified text, as it appears in a batch's results. */
export class SentimentResultDto {
  @ApiProperty({ description: 'The input text, unchanged.', example: 'I absolutely loved this movie! The acting was superb.' })
  text: string;

  @ApiProperty({ description: "The most probable label (from the model's id2label).", example: 'POSITIVE' })
  label: string;

  @ApiProperty({ description: 'Its probability (softmax), between 0 and 1.', example: 0.9987, minimum: 0, maximum: 1 })
  score: number;

  @ApiProperty({
    description: 'Id of this prediction in the prediction log: send it to POST /feedback with the correct label.',
    example: '0b8f6f5e-3c1d-4d0e-9a57-2f4f8f1f6a11',
    format: 'uuid',
  })
  prediction_id: string;
}

export class SentimentResponseDto extends SentimentResultDto {
  @ApiProperty({ description: 'Version of the model that made the prediction.', example: 'demo-sentiment@3f2a9c0b1d4e' })
  model_version: string;
}
