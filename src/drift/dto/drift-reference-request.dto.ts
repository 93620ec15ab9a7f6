import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsNonEmptyString, IsNonEmptyStringArray } from '../../common/validation/validators';

export class DriftReferenceRequestDto {
  @ApiProperty({
    type: [String],
    minItems: 1,
    description:
      'Texts that look like the traffic the model should see (at least 100: a seeded half fits the embedding projection, the other half becomes the reference). Only their features are kept.',
    example: ['a gripping, beautifully acted film', 'the plot never comes together'],
  })
  @IsNonEmptyStringArray()
  texts: string[];

  @ApiPropertyOptional({ description: 'The loaded model version to set it for; default: the version in production.' })
  @IsOptional()
  @IsNonEmptyString()
  model_version?: string;
}
