import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ERROR_HTTP } from '../../common/errors/error-codes';
import type { AppErrorCode } from '../../common/errors/error-codes';
import { JOB_STATUSES, JobStatus } from '../job.types';

export class JobProgressDto {
  @ApiProperty({ example: 128, description: 'Texts classified and committed.' })
  done: number;

  @ApiProperty({ example: 1000, description: 'Texts in the job.' })
  total: number;
}

/** One classified text of a job. The text itself is not repeated: `index` is its position in the submitted list. */
export class JobResultDto {
  @ApiProperty({ example: 0, description: 'Position of the text in the submitted `texts`.' })
  index: number;

  @ApiProperty({ description: "The most probable label (from the model's id2label).", example: 'POSITIVE' })
  label: string;

  @ApiProperty({ description: 'Its probability (softmax), between 0 and 1.', example: 0.9987, minimum: 0, maximum: 1 })
  score: number;

  @ApiProperty({
    format: 'uuid',
    example: '0b8f6f5e-3c1d-4d0e-9a57-2f4f8f1f6a11',
    description: 'Id of this prediction in the prediction log: send it to POST /feedback with the correct label.',
  })
  prediction_id: string;

  @ApiPropertyOptional({
    example: 'demo-sentiment@3f2a9c0b1d4e',
    description: "Only when it differs from the job's model_version (the model changed while the job ran).",
  })
  model_version?: string;
}

export class JobPageDto {
  @ApiProperty({ example: 0, description: 'Position of the first result of this page.' })
  offset: number;

  @ApiProperty({ example: 100, description: 'Most results this page could hold.' })
  limit: number;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    example: 100,
    description: 'The offset of the next page (GET /job/{id}?offset=next_offset), or null when this page is the last.',
  })
  next_offset: number | null;
}

export class JobErrorDto {
  @ApiProperty({ enum: Object.keys(ERROR_HTTP), example: 'INFERENCE_FAILED', description: 'Stable error code.' })
  code: AppErrorCode;

  @ApiProperty({ example: 'Inference failed. The error has been logged. (while classifying texts 128 to 191)' })
  message: string;
}

export class JobResponseDto {
  @ApiProperty({ format: 'uuid', example: '5d0f3c2e-8a4b-4c1d-9e7f-0a1b2c3d4e5f' })
  job_id: string;

  @ApiProperty({
    enum: JOB_STATUSES,
    example: 'completed',
    description:
      'queued: accepted, not started; running: being classified (also after a restart); completed: every text ' +
      'classified, results readable; failed: a real inference failure stopped it (see error).',
  })
  status: JobStatus;

  @ApiProperty({ type: JobProgressDto })
  progress: JobProgressDto;

  @ApiProperty({ format: 'date-time', description: 'When the job was accepted (ISO 8601, UTC).' })
  created_at: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'When its first chunk started.' })
  started_at?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'When it completed or failed.' })
  finished_at?: string;

  @ApiPropertyOptional({
    example: 'demo-sentiment@3f2a9c0b1d4e',
    description: 'Version of the model that classified the texts (present once some are done).',
  })
  model_version?: string;

  @ApiPropertyOptional({ type: [JobResultDto], description: 'When completed: one page of results, in input order.' })
  results?: JobResultDto[];

  @ApiPropertyOptional({ type: JobPageDto, description: 'When completed: where this page is and how to get the next.' })
  page?: JobPageDto;

  @ApiPropertyOptional({ type: JobErrorDto, description: 'When failed: why.' })
  error?: JobErrorDto;
}
