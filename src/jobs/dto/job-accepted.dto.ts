import { ApiProperty } from '@nestjs/swagger';
import { JOB_STATUSES, JobStatus } from '../job.types';

/** The answer to POST /async-sentiment: the job is committed and will run. */
export class JobAcceptedDto {
  @ApiProperty({ format: 'uuid', example: '5d0f3c2e-8a4b-4c1d-9e7f-0a1b2c3d4e5f', description: 'Poll GET /job/{job_id} with it.' })
  job_id: string;

  @ApiProperty({ enum: JOB_STATUSES, example: 'queued', description: 'Always queued: no text is classified yet.' })
  status: JobStatus;

  @ApiProperty({ example: 2, description: 'Texts in the job.' })
  total: number;

  @ApiProperty({ format: 'date-time', example: '2025-01-31T12:00:00.000Z', description: 'When the job was accepted (ISO 8601, UTC).' })
  created_at: string;
}
