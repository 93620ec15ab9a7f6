import { ApiProperty } from '@nestjs/swagger';
import { SentimentResultDto } from './sentiment-response.dto';

export { SentimentResultDto as BatchSentimentResultDto };

export class BatchSentimentResponseDto {
  @ApiProperty({ type: [SentimentResultDto], description: 'One result per input text, in input order.' })
  results: SentimentResultDto[];

  @ApiProperty({ description: 'Version of the model that made the predictions.', example: 'demo-sentiment@3f2a9c0b1d4e' })
  model_version: string;

  @ApiProperty({ description: 'Time spent classifying the batch, in seconds.', example: 0.0123 })
  processing_time: number;
}
