import { ApiProperty } from '@nestjs/swagger';
import type { FeedbackOutcome } from '../feedback.types';

export class FeedbackResponseDto {
  @ApiProperty({ format: 'uuid', example: '0b8f6f5e-3c1d-4d0e-9a57-2f4f8f1f6a11' })
  prediction_id: string;

  @ApiProperty({ description: 'Version of the model that made the prediction.', example: 'demo-sentiment@3f2a9c0b1d4e' })
  model_version: string;

  @ApiProperty({ description: 'The label the model predicted (from the prediction log).', example: 'NEGATIVE' })
  predicted_label: string;

  @ApiProperty({ description: 'The label now held for this prediction.', example: 'POSITIVE' })
  correct_label: string;

  @ApiProperty({ description: 'Whether the prediction was right: predicted_label equals correct_label.', example: false })
  correct: boolean;

  @ApiProperty({
    enum: ['created', 'replaced', 'unchanged'],
    description:
      'created: the first feedback for this prediction; replaced: a different label replaced the one held (the ' +
      'latest wins); unchanged: this label was already held (e.g. a retry), nothing changed.',
    example: 'created',
  })
  status: FeedbackOutcome;

  @ApiProperty({ type: String, nullable: true, description: 'The label this feedback replaced (status replaced), else null.', example: null })
  previous_label: string | null;

  @ApiProperty({ type: 'integer', description: '1 for the first label, +1 for every different label that replaced it.', example: 1 })
  revision: number;

  @ApiProperty({
    description: 'When the label now held was received (ISO 8601): the time monitoring windows group it by.',
    example: '2025-01-01T12:00:00.000Z',
  })
  received_at: string;

  @ApiProperty({ description: 'When the prediction was made (ISO 8601).', example: '2025-01-01T11:59:58.123Z' })
  predicted_at: string;
}
