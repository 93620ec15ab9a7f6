import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { AppErrorCode } from './error-codes';
import { ERROR_HTTP } from './error-codes';

export class ErrorDetailDto {
  @ApiPropertyOptional({ example: 'texts[2]', description: 'Path of the offending field.' })
  field?: string;

  @ApiProperty({ example: 'texts[2] must be a string but received the number 42' })
  message: string;
}

export class ErrorInfoDto {
  @ApiProperty({ enum: Object.keys(ERROR_HTTP), example: 'VALIDATION_FAILED', description: 'Stable error code.' })
  code: AppErrorCode;

  @ApiProperty({ example: 'texts[2] must be a string but received the number 42', description: 'What went wrong, for humans.' })
  message: string;

  @ApiPropertyOptional({ type: [ErrorDetailDto], description: 'One entry per problem, when there are several.' })
  details?: ErrorDetailDto[];
}

/** The one body every error response has: `{"error": {"code", "message", "details"?}}`. */
export class ErrorBodyDto {
  @ApiProperty({ type: ErrorInfoDto })
  error: ErrorInfoDto;
}
