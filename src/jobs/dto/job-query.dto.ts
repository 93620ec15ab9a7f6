import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptionalIntegerParam } from '../../common/validation/validators';

/** Most results one GET /job/:id returns. */
export const MAX_JOB_PAGE_SIZE = 1000;
/** Highest offset accepted (beyond any job's size; keeps the number exact). */
const MAX_OFFSET = 1_000_000_000;

/** Which page of a completed job's results to return. */
export class JobQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 0, default: 0, description: 'Position of the first result to return.' })
  @IsOptionalIntegerParam(0, MAX_OFFSET)
  offset?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_JOB_PAGE_SIZE,
    description: `Most results to return (default JOB_PAGE_SIZE, 100; at most ${MAX_JOB_PAGE_SIZE}).`,
  })
  @IsOptionalIntegerParam(1, MAX_JOB_PAGE_SIZE)
  limit?: number;
}
