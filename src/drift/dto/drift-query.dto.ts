import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsNonEmptyString, IsOptionalIntegerParam } from '../../common/validation/validators';

export class DriftQueryDto {
  @ApiPropertyOptional({ description: 'Only this model version.', example: 'demo-sentiment@3f2a9c0b1d4e' })
  @IsOptional()
  @IsNonEmptyString()
  model_version?: string;

  @ApiPropertyOptional({
    description: 'At most this many past windows per model version, newest first (default and ceiling: DRIFT_HISTORY_WINDOWS).',
    type: 'integer',
    minimum: 0,
    maximum: 10000,
    example: 10,
  })
  @IsOptionalIntegerParam(0, 10000)
  history?: number;
}
