import { ApiProperty } from '@nestjs/swagger';
import { SentimentResponseDto } from './sentiment-response.dto';

export class BatchSentimentResponseDto {
  @ApiProperty({ type: [SentimentResponseDto], description: 'One result per input text, in input order.' })
  results: SentimentResponseDto[];

  @ApiProperty({ description: 'Time spent classifying the batch, in seconds.', example: 0.0123 })
  processing_time: number;
}
