import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiErrorResponses } from '../common/errors/api-error-responses.decorator';
import { AsyncSentimentRequestDto } from './dto/async-sentiment-request.dto';
import { JobAcceptedDto } from './dto/job-accepted.dto';
import { JobQueryDto } from './dto/job-query.dto';
import { JobResponseDto } from './dto/job-response.dto';
import { JobsService } from './jobs.service';

@ApiTags('jobs')
@Controller()
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Post('async-sentiment')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Classify many texts in the background',
    description:
      'Answers 202 once the job and all its texts are committed to the database (an accepted job survives a crash ' +
      'or restart). Poll GET /job/{job_id} (also given in the Location header) for progress and results.',
  })
  @ApiAcceptedResponse({ type: JobAcceptedDto })
  @ApiErrorResponses(400, 413, 415, 503)
  async submit(@Body() request: AsyncSentimentRequestDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<JobAcceptedDto> {
    const accepted = await this.jobs.submit(request.texts);
    reply.header('location', `/job/${accepted.job_id}`);
    return accepted;
  }

  @Get('job/:id')
  @ApiOperation({
    summary: "A job's status and progress; once completed, a page of its results",
    description: 'Results are paged with offset and limit; page.next_offset gives the next page (null on the last).',
  })
  @ApiParam({ name: 'id', description: 'The job_id POST /async-sentiment returned.' })
  @ApiOkResponse({ type: JobResponseDto })
  @ApiErrorResponses(400, 404, 503)
  get(@Param('id') id: string, @Query() query: JobQueryDto): Promise<JobResponseDto> {
    return this.jobs.get(id, query);
  }
}
