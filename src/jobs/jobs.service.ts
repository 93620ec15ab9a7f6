import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { AppError } from '../common/errors/app-error';
import { assertTextCount, assertTextLengths } from '../common/validation/text-limits';
import { AppConfig } from '../config/app-config';
import { JobAcceptedDto } from './dto/job-accepted.dto';
import { JobQueryDto } from './dto/job-query.dto';
import { JobResponseDto, JobResultDto } from './dto/job-response.dto';
import { JobRunner } from './job-runner';
import { JobStore } from './job.store';
import type { Job, JobResult, JobStatus } from './job.types';

const HOUR_MS = 60 * 60 * 1000;
/** How often finished jobs past JOB_RETENTION_HOURS are looked for (they go within this long of expiring). */
export const RETENTION_CHECK_INTERVAL_MS = 10 * 60 * 1000;
/** Expired jobs deleted per query; each is deleted in its own small transaction. */
const PRUNE_BATCH = 100;

/**
 * Asynchronous classification jobs: accepts a job only once it and all its texts are committed (an accepted job is
 * never lost), answers its status and pages of its results, counts jobs by status for monitoring, and deletes
 * finished jobs after JOB_RETENTION_HOURS. The work itself is JobRunner's.
 */
@Injectable()
export class JobsService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(JobsService.name);
  private retentionTimer: NodeJS.Timeout | undefined;
  private pruning: Promise<number> | undefined;
  private closed = false;

  constructor(
    private readonly store: JobStore,
    private readonly runner: JobRunner,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    if (this.config.jobRetentionHours === 0) return;
    void this.pruneExpired();
    this.retentionTimer = setInterval(() => void this.pruneExpired(), RETENTION_CHECK_INTERVAL_MS);
    this.retentionTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    // The database closes after this module: let a deletion under way end first (each step is small).
    await this.pruning;
  }

  /**
   * Validates the texts against JOB_MAX_TEXTS and MAX_TEXT_CHARS, commits the job with all its texts, wakes the
   * workers. Throws VALIDATION_FAILED, or STORAGE_UNAVAILABLE when the database cannot commit (nothing accepted).
   */
  async submit(texts: string[]): Promise<JobAcceptedDto> {
    assertTextCount(texts, this.config.jobMaxTexts, 'JOB_MAX_TEXTS');
    assertTextLengths('texts', texts, this.config.maxTextChars);
    const id = randomUUID();
    const createdAt = Date.now();
    try {
      await this.store.create(id, texts, createdAt);
    } catch (error) {
      this.logger.error(`Could not store a job of ${texts.length} text(s): ${(error as Error).message}`);
      throw new AppError('STORAGE_UNAVAILABLE', 'The job could not be stored; nothing was accepted; retry later');
    }
    this.runner.wake();
    return { job_id: id, status: 'queued', total: texts.length, created_at: iso(createdAt) };
  }

  /**
   * The job's status and progress; when completed, one page of its results. Throws NOT_FOUND for an unknown id,
   * STORAGE_UNAVAILABLE when the database cannot be read.
   */
  async get(id: string, query: JobQueryDto = {}): Promise<JobResponseDto> {
    const job = await this.read(`job ${id}`, () => this.store.find(id));
    if (!job) throw new AppError('NOT_FOUND', `No job with id "${id}" (it never existed, or it finished more than JOB_RETENTION_HOURS ago)`);
    const response = describe(job);
    if (job.status === 'completed') {
      const offset = query.offset ?? 0;
      const limit = query.limit ?? this.config.jobPageSize;
      const results = await this.read(`the results of job ${id}`, () => this.store.results(job.seq, offset, limit));
      const end = offset + results.length;
      response.results = results.map((result) => toResultDto(result, job.modelVersion));
      response.page = { offset, limit, next_offset: end < job.total && results.length > 0 ? end : null };
    }
    return response;
  }

  /** Jobs in each status, every status present (one grouped query over the status index): for a metrics gauge. */
  countByState(): Promise<Record<JobStatus, number>> {
    return this.store.countByStatus();
  }

  /** Runs a read of the store; a database failure becomes STORAGE_UNAVAILABLE naming what could not be read. */
  private async read<T>(what: string, query: () => Promise<T>): Promise<T> {
    try {
      return await query();
    } catch (error) {
      this.logger.error(`Could not read ${what}: ${(error as Error).message}`);
      throw new AppError('STORAGE_UNAVAILABLE', `Could not read ${what} from the database; retry later`);
    }
  }

  /**
   * Deletes completed and failed jobs (with their results) that finished more than JOB_RETENTION_HOURS ago, one
   * job per transaction, yielding to the event loop between them. Queued and running jobs are never deleted, nor
   * anything when JOB_RETENTION_HOURS is 0. Returns how many were deleted.
   */
  pruneExpired(now = Date.now()): Promise<number> {
    this.pruning ??= this.deleteExpired(now).finally(() => (this.pruning = undefined));
    return this.pruning;
  }

  private async deleteExpired(now: number): Promise<number> {
    if (this.config.jobRetentionHours === 0) return 0;
    const cutoff = now - this.config.jobRetentionHours * HOUR_MS;
    let deleted = 0;
    try {
      for (let batch = await this.store.finishedBefore(cutoff, PRUNE_BATCH); batch.length > 0; batch = await this.store.finishedBefore(cutoff, PRUNE_BATCH)) {
        for (const seq of batch) {
          if (this.closed) return deleted;
          await this.store.delete(seq);
          deleted++;
          await nextTurn();
        }
      }
    } catch (error) {
      this.logger.warn(`Deleting expired jobs failed: ${(error as Error).message}`);
    }
    if (deleted > 0) this.logger.log(`Deleted ${deleted} job(s) finished more than ${this.config.jobRetentionHours} hours ago`);
    return deleted;
  }
}

function describe(job: Job): JobResponseDto {
  const response: JobResponseDto = {
    job_id: job.id,
    status: job.status,
    progress: { done: job.done, total: job.total },
    created_at: iso(job.createdAt),
  };
  if (job.startedAt !== undefined) response.started_at = iso(job.startedAt);
  if (job.finishedAt !== undefined) response.finished_at = iso(job.finishedAt);
  if (job.modelVersion !== undefined) response.model_version = job.modelVersion;
  if (job.error) response.error = { code: job.error.code, message: job.error.message };
  return response;
}

function toResultDto(result: JobResult, jobModelVersion: string | undefined): JobResultDto {
  const dto: JobResultDto = { index: result.index, label: result.label, score: result.score, prediction_id: result.predictionId };
  if (result.modelVersion !== jobModelVersion) dto.model_version = result.modelVersion;
  return dto;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
