import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptionalIntegerParam } from '../../common/validation/validators';

/** Which page of the model history to return. */
export class HistoryQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1000, default: 100, description: 'Entries to return.' })
  @IsOptionalIntegerParam(1, 1000)
  limit?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: 'Only entries older than this id (next_before of the previous page).' })
  @IsOptionalIntegerParam(1, Number.MAX_SAFE_INTEGER)
  before?: number;
}
