import { ApiProperty } from '@nestjs/swagger';
import { IsNonEmptyString, IsUuidString } from '../../common/validation/validators';

export class FeedbackRequestDto {
  @ApiProperty({
    description: 'The prediction_id a classification response returned (a UUID).',
    example: '0b8f6f5e-3c1d-4d0e-9a57-2f4f8f1f6a11',
    format: 'uuid',
  })
  @IsUuidString()
  prediction_id: string;

  @ApiProperty({
    description:
      "The label the text should have had: one of the labels of the model version that made the prediction " +
      '(exact spelling, as GET / lists them for the model served now).',
    example: 'POSITIVE',
    minLength: 1,
  })
  @IsNonEmptyString()
  correct_label: string;
}
