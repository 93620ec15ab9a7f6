import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsNonEmptyString, IsOptionalIntegerParam } from '../../common/validation/validators';

export class PerformanceQueryDto {
  @ApiPropertyOptional({ description: 'Only this model version.', example: 'demo-sentiment@3f2a9c0b1d4e' })
  @IsOptional()
  @IsNonEmptyString()
  model_version?: string;

  @ApiPropertyOptional({
    description: 'At most this many past windows per model version (default and ceiling: MONITOR_HISTORY_WINDOWS).',
    type: 'integer',
    minimum: 0,
    maximum: 1000,
    example: 6,
  })
  @IsOptionalIntegerParam(0, 1000)
  history?: number;
}
