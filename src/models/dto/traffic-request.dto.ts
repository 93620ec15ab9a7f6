import { ApiProperty } from '@nestjs/swagger';
import { IsNumber, Max, Min } from 'class-validator';
import { IsNonEmptyString } from '../../common/validation/validators';

/** PUT /models/canary. */
export class CanaryRequestDto {
  @ApiProperty({ description: 'A registered version without another role.', example: 'sentiment-v2' })
  @IsNonEmptyString()
  version: string;

  @ApiProperty({ description: 'Percent of interactive requests (POST /sentiment, /batch-sentiment) it serves.', minimum: 0, maximum: 100, example: 10 })
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'percent must be a number between 0 and 100' })
  @Min(0, { message: 'percent must be a number between 0 and 100' })
  @Max(100, { message: 'percent must be a number between 0 and 100' })
  percent: number;
}

/** PUT /models/shadow. */
export class ShadowRequestDto {
  @ApiProperty({ description: 'A registered version without another role.', example: 'sentiment-v3' })
  @IsNonEmptyString()
  version: string;

  @ApiProperty({ description: 'Share of production requests also classified by the shadow (0 to 1).', minimum: 0, maximum: 1, example: 0.2 })
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'sample_rate must be a number between 0 and 1' })
  @Min(0, { message: 'sample_rate must be a number between 0 and 1' })
  @Max(1, { message: 'sample_rate must be a number between 0 and 1' })
  sample_rate: number;
}
