import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AppError } from '../common/errors/app-error';
import { AppConfig } from '../config/app-config';
import { GroupCommit } from './group-commit';
import { sha256Hex } from './input-hash';
import { newPredictionId } from './prediction-id';
import { PredictionStore } from './prediction.store';
import type { PredictionInput, PredictionListener, PredictionRecord, RecordOptions } from './prediction.types';

const DAY_MS = 24 * 60 * 60 * 1000;
/** How often predictions past PREDICTION_LOG_RETENTION_DAYS are deleted. */
const PRUNE_INTERVAL_MS = 60 * 60 * 1000;

/**
 * The prediction log: every prediction the service returns is committed here first, with its id, time, model
 * version, output, latency and the input as PREDICTION_LOG_INPUT allows. A response carries a prediction_id only
 * once its record is durable, so feedback can always find it; when the database cannot commit, the request
 * fails with STORAGE_UNAVAILABLE (503) instead of returning a prediction nobody can trace. The request paths use
 * `recordGrouped`, which commits concurrent requests' records in one transaction (see GroupCommit).
 */
@Injectable()
export class PredictionLogService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(PredictionLogService.name);
  private readonly listeners: PredictionListener[] = [];
  private pruneTimer: NodeJS.Timeout | undefined;
  private readonly groupCommit: GroupCommit<PredictionRecord[]>;

  constructor(
    private readonly store: PredictionStore,
    private readonly config: AppConfig,
  ) {
    this.groupCommit = new GroupCommit((groups) => this.store.insertAll(groups.length === 1 ? groups[0] : groups.flat()));
  }

  onModuleInit(): void {
    if (this.config.predictionLogRetentionDays === 0) return;
    void this.pruneExpired();
    this.pruneTimer = setInterval(() => void this.pruneExpired(), PRUNE_INTERVAL_MS);
    this.pruneTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    // Records still waiting for their group's commit are committed now, and any recorded later (a request the
    // engine finishes while it closes) at once, so that none waits for a turn that comes after the database closed.
    await this.groupCommit.commitImmediately();
  }

  /** Registers a listener told about every committed batch of records (metrics, monitoring). */
  subscribe(listener: PredictionListener): void {
    this.listeners.push(listener);
  }

  /**
   * Commits one record per input (in one transaction of their own) and returns them in input order. Throws
   * STORAGE_UNAVAILABLE when the database cannot commit them.
   */
  async record(inputs: readonly PredictionInput[], modelVersion: string, options: RecordOptions): Promise<PredictionRecord[]> {
    const records = this.newRecords(inputs, modelVersion, options);
    try {
      await this.store.insertAll(records);
    } catch (error) {
      throw this.storageUnavailable(records.length, error);
    }
    this.publish(records);
    return records;
  }

  /**
   * Like `record`, but the records are committed together with those of the other requests that finish in the
   * same turn of the event loop (group commit: one transaction for all of them), which is what keeps the
   * per-request cost low under load. Resolves with the records, in input order, only once they are committed;
   * rejects with STORAGE_UNAVAILABLE when they could not be.
   */
  async recordGrouped(inputs: readonly PredictionInput[], modelVersion: string, options: RecordOptions): Promise<PredictionRecord[]> {
    const createdAt = options.createdAt ?? Date.now();
    const records = inputs.map((input) => this.toRecord(input, modelVersion, createdAt, options));
    try {
      await this.groupCommit.submit(records);
    } catch (error) {
      throw this.storageUnavailable(records.length, error);
    }
    this.publish(records);
    return records;
  }

  /**
   * The records for `inputs`, not yet written: for a caller that commits them in its own transaction (a job
   * chunk's, with its results and progress: JobStore.saveChunk). It calls `publish` once that transaction has
   * committed: a rolled-back record must not be counted.
   */
  newRecords(inputs: readonly PredictionInput[], modelVersion: string, options: RecordOptions): PredictionRecord[] {
    const createdAt = options.createdAt ?? Date.now();
    return inputs.map((input) => this.toRecord(input, modelVersion, createdAt, options));
  }

  /** STORAGE_UNAVAILABLE for records that could not be committed, logged with the cause. */
  storageUnavailable(count: number, error: unknown): AppError {
    this.logger.error(`Could not log ${count} prediction(s): ${(error as Error).message}`);
    return new AppError('STORAGE_UNAVAILABLE', 'The prediction could not be stored; retry later');
  }

  /** Tells the listeners about committed records (metrics, monitoring, drift, shadow). */
  publish(records: readonly PredictionRecord[]): void {
    for (const listener of this.listeners) {
      try {
        listener(records);
      } catch (error) {
        this.logger.error(`A prediction listener failed: ${(error as Error).message}`, (error as Error).stack);
      }
    }
  }

  /** The logged prediction with this id, if it exists (and has not expired). */
  find(id: string): Promise<PredictionRecord | undefined> {
    return this.store.findById(id);
  }

  private toRecord(input: PredictionInput, modelVersion: string, createdAt: number, options: RecordOptions): PredictionRecord {
    const keep = this.config.predictionLogInput;
    const record: PredictionRecord = {
      id: newPredictionId(),
      createdAt,
      modelVersion,
      label: input.label,
      score: input.score,
      scores: input.scores,
      latencyMs: options.latencyMs,
      source: options.source,
      inputLength: input.text.length,
    };
    if (options.jobId !== undefined) record.jobId = options.jobId;
    if (input.features) record.features = { captured: input.features, text: input.text };
    if (keep === 'full') record.input = input.text;
    if (keep !== 'none') record.inputHash = sha256Hex(input.text);
    return record;
  }

  private async pruneExpired(): Promise<void> {
    const cutoff = Date.now() - this.config.predictionLogRetentionDays * DAY_MS;
    try {
      const { removed, unit } = await this.store.deleteOlderThan(cutoff);
      if (removed > 0) this.logger.log(`Deleted ${removed} ${unit} of predictions older than ${this.config.predictionLogRetentionDays} days`);
    } catch (error) {
      this.logger.warn(`Pruning the prediction log failed: ${(error as Error).message}`);
    }
  }
}
