import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { AppError } from '../common/errors/app-error';
import { AppErrorCode, ERROR_HTTP, GENERIC_MESSAGES, isAppErrorCode } from '../common/errors/error-codes';
import { AppConfig } from '../config/app-config';
import { EngineService } from '../engine/engine.service';
import type { Classification } from '../engine/engine.types';
import { PredictionLogService } from '../predictions/prediction-log.service';
import { Claim, JobStore } from './job.store';
import type { Chunk, JobError, JobResult } from './job.types';

/** Pause after the engine refuses work or the database cannot commit: doubles from the first to the last. */
export const FIRST_BACKOFF_MS = 100;
export const MAX_BACKOFF_MS = 5_000;

/**
 * Errors that mean "not now" rather than "these texts cannot be classified": the chunk is retried after a pause,
 * and the job never fails for them. The engine's queue is full (OVERLOADED), a wait ran out or was cancelled, the
 * model is (re)loading or closing, or the database could not commit.
 */
const TRANSIENT: ReadonlySet<AppErrorCode> = new Set<AppErrorCode>([
  'OVERLOADED',
  'TIMEOUT',
  'CANCELLED',
  'NOT_READY',
  'ENGINE_CLOSED',
  'STORAGE_UNAVAILABLE',
]);

/** How long after the last sign of other traffic on the engine the workers stay in background mode. */
export const QUIET_MS = 1_000;
/** In background mode chunks are this fraction of JOB_CHUNK_SIZE (at least 1 text). */
const BACKGROUND_CHUNK_DIVISOR = 4;

type RunnerState = 'idle' | 'running' | 'stopping' | 'stopped';

/**
 * The job workers. Jobs are worked on oldest first, JOB_CHUNK_SIZE texts per engine call, up to JOB_WORKERS
 * chunks at a time. A chunk's results, its prediction-log records and the job's progress commit in one
 * transaction, so after a crash the texts without a result are exactly the work left, and a restarted process
 * resumes every queued or running job from its first unclassified text.
 *
 * Chunks are claimed from the store under a lease in this runner's name (`owner`), renewed every third of
 * JOB_LEASE_SECONDS while the chunk is in the engine; the commit is discarded when the lease was lost meanwhile (a
 * stalled replica whose chunk another one took over), so no text ever gets two results or two log records.
 *
 * The workers sleep when there is nothing to do: they are woken when a job is submitted, when the application
 * starts, when a chunk finishes, and when a back-off pause ends. On a store other processes share (PostgreSQL)
 * they also look every JOB_POLL_INTERVAL_MS while idle: jobs other replicas accept, and chunks whose lease expired,
 * are announced to nobody. On SQLite they never poll the database.
 *
 * Jobs are background work and yield to interactive requests, which share the engine's one FIFO queue and
 * its batches (a request's text is batched with the job texts queued with it):
 * - while other callers use the engine (their texts wait in its queue, or their calls arrived within the last
 *   QUIET_MS), the workers are in background mode: one chunk in flight, a quarter of JOB_CHUNK_SIZE; so few job
 *   texts are ever ahead of a request, and jobs still progress under sustained load. Otherwise JOB_WORKERS chunks of
 *   JOB_CHUNK_SIZE use the whole engine;
 * - when the engine answers OVERLOADED, every worker pauses (100 ms, doubling to 5 s while it lasts) and the chunk is
 *   retried; a job never fails for being refused.
 * A real failure (INFERENCE_FAILED, INTERNAL, anything unexpected) fails the job with its error recorded.
 *
 * At shutdown no new chunk starts; chunks in flight may finish and commit for JOB_SHUTDOWN_TIMEOUT_MS, after which
 * they are left uncommitted (their lease expires); chunks waiting out a back-off are handed back at once. Unfinished
 * jobs stay queued or running in the database, for the other replicas or the next start.
 */
@Injectable()
export class JobRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(JobRunner.name);
  private state: RunnerState = 'idle';
  private readonly inFlight = new Set<Promise<void>>();
  /** Texts of this runner's chunks submitted to the engine and not yet answered. */
  private textsInEngine = 0;
  /** Calls this runner made to the engine, and what both counters were at the last look (others = the rest). */
  private ownCalls = 0;
  private seenOwnCalls = 0;
  private seenEngineRequests = 0;
  private othersSeenAt = Number.NEGATIVE_INFINITY;
  private background = false;
  /** Whose leases this runner's claims are: unique per process (and per runner, for specs running several). */
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  /** The job of the last chunk claimed (to log once when the workers move to another job). */
  private lastJobSeq = 0;
  /** A look for work is under way (claims are asynchronous): one at a time, and another after it when asked. */
  private filling: Promise<void> | undefined;
  private fillAgain = false;
  private backoffMs = 0;
  private pausedAt = 0;
  private pausedUntil = 0;
  private wakeQueued = false;
  private wakeTimer: NodeJS.Timeout | undefined;
  private readonly sleepers = new Set<() => void>();
  /** Set when shutdown stopped waiting for chunks: those finishing later must not write (the database is closing). */
  private abandoned = false;

  constructor(
    private readonly store: JobStore,
    private readonly engine: EngineService,
    private readonly predictions: PredictionLogService,
    private readonly config: AppConfig,
  ) {}

  /** Starts the workers once every module (the engine included) is ready, resuming unfinished jobs. */
  onApplicationBootstrap(): void {
    this.start();
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'running';
    this.seenEngineRequests = this.engine.stats()?.requests ?? 0;
    this.store.countUnfinished().then(
      (unfinished) => unfinished > 0 && this.logger.log(`Resuming ${unfinished} unfinished job(s)`),
      (error: Error) => this.logger.warn(`Could not count unfinished jobs: ${error.message}`),
    );
    this.wake();
  }

  /** Asks the workers to look for work (a job was submitted). Cheap and coalesced: the look happens once, soon. */
  wake(): void {
    if (this.state !== 'running' || this.wakeQueued) return;
    this.wakeQueued = true;
    setImmediate(() => {
      this.wakeQueued = false;
      this.fill();
    });
  }

  /** Chunks being classified or committed right now. */
  get chunksInFlight(): number {
    return this.inFlight.size;
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.state !== 'running') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    // Chunks waiting out a back-off are not in the engine: they stop now and are handed back.
    for (const wakeUp of [...this.sleepers]) wakeUp();
    // A claim under way ends before the database may close (it hands its chunk back, the runner being stopped).
    await this.filling;
    const inFlight = this.inFlight.size;
    if (inFlight > 0 && !(await this.drain(this.config.jobShutdownTimeoutMs))) {
      this.abandoned = true;
      this.logger.warn(
        `${this.inFlight.size} job chunk(s) still running after ${this.config.jobShutdownTimeoutMs} ms (JOB_SHUTDOWN_TIMEOUT_MS): ` +
          'not committed; another replica takes them over once their lease expires, or the next start redoes them',
      );
    }
    this.state = 'stopped';
    try {
      const unfinished = await this.store.countUnfinished();
      if (unfinished > 0) {
        const where = this.store.shared ? 'on the other replicas or the next start' : 'on the next start';
        this.logger.log(`Job workers stopped; ${unfinished} unfinished job(s) resume ${where}`);
      }
    } catch (error) {
      this.logger.warn(`Could not count unfinished jobs at shutdown: ${(error as Error).message}`);
    }
  }

  /** Starts chunks while a worker is free, the engine has room and there is work (one look at a time). */
  private fill(): void {
    if (this.filling) {
      this.fillAgain = true;
      return;
    }
    this.filling = this.fillFree()
      .catch((error: Error) => this.logger.error(`Looking for job work failed. This is a bug.`, error.stack))
      .finally(() => {
        this.filling = undefined;
        if (this.fillAgain) {
          this.fillAgain = false;
          this.fill();
        }
      });
  }

  private async fillFree(): Promise<void> {
    while (this.state === 'running' && this.inFlight.size < this.config.jobWorkers) {
      const pause = this.pausedUntil - Date.now();
      if (pause > 0) {
        this.wakeAfter(pause);
        return;
      }
      // In background mode one chunk at a time: the end of the one in flight calls fill again.
      const background = this.othersActive();
      if (background && this.inFlight.size > 0) return;
      const size = background ? Math.ceil(this.config.jobChunkSize / BACKGROUND_CHUNK_DIVISOR) : this.config.jobChunkSize;
      let claim: Claim | undefined;
      try {
        claim = await this.store.claim(this.owner, size, Date.now(), this.leaseMs);
      } catch (error) {
        this.logger.error(`Could not claim the next job chunk: ${(error as Error).message}`);
        this.pause(Date.now());
        continue;
      }
      if (!claim) {
        // Other replicas accept jobs, and free chunks by dying, without telling this one.
        if (this.store.shared) this.wakeAfter(this.config.jobPollIntervalMs);
        return;
      }
      if (this.state !== 'running') {
        // Shutdown began during the claim: hand the chunk back rather than leave it leased until expiry.
        this.store.release(claim.chunk, this.owner).catch(() => undefined);
        return;
      }
      this.announce(claim);
      this.launch(claim.chunk);
    }
  }

  private get leaseMs(): number {
    return this.config.jobLeaseSeconds * 1000;
  }

  private announce({ chunk, started, total, done }: Claim): void {
    if (started) this.logger.log(`Job ${chunk.jobId} started (${total} texts)`);
    else if (chunk.jobSeq !== this.lastJobSeq) {
      // Also what a replica joining a job another one started says: it resumes the work left.
      this.logger.log(`Job ${chunk.jobId} resumed at text ${chunk.texts[0].index} (${done} of ${total} done)`);
    }
    this.lastJobSeq = chunk.jobSeq;
  }

  /**
   * Whether other callers are using the engine: texts beyond the jobs' own wait in its queue, or it accepted calls
   * that were not the jobs' since the last look, within QUIET_MS. Reads the engine's counters (no I/O).
   */
  private othersActive(): boolean {
    const stats = this.engine.stats();
    if (!stats) return false;
    const now = Date.now();
    const othersCalls = stats.requests - this.seenEngineRequests - (this.ownCalls - this.seenOwnCalls);
    this.seenEngineRequests = stats.requests;
    this.seenOwnCalls = this.ownCalls;
    if (othersCalls > 0 || stats.queueDepth > this.textsInEngine) this.othersSeenAt = now;
    const background = now - this.othersSeenAt < QUIET_MS;
    if (background !== this.background) {
      this.background = background;
      this.logger.debug(background ? 'Other traffic on the engine: jobs in background mode' : 'Engine quiet: jobs at full speed');
    }
    return background;
  }

  private launch(chunk: Chunk): void {
    const run: Promise<void> = this.process(chunk)
      .catch((error: unknown) => this.logger.error(`Job ${chunk.jobId}: unexpected error. This is a bug.`, (error as Error)?.stack))
      .finally(() => {
        this.inFlight.delete(run);
        this.fill();
      });
    this.inFlight.add(run);
  }

  /** Classifies and commits one chunk, retrying after transient refusals while the runner runs, holding its lease. */
  private async process(chunk: Chunk): Promise<void> {
    const renewal = setInterval(() => this.renew(chunk), Math.max(1, Math.floor(this.leaseMs / 3)));
    renewal.unref();
    try {
      await this.attempt(chunk);
    } finally {
      clearInterval(renewal);
    }
  }

  /** Extends the chunk's lease; a lost lease is only logged: the commit will find it and discard the results. */
  private renew(chunk: Chunk): void {
    if (this.abandoned) return;
    this.store.renew(chunk, this.owner, Date.now() + this.leaseMs).then(
      (held) => held || this.logger.warn(`Job ${chunk.jobId}: lost the lease of texts ${describeRange(chunk)}; its results will be discarded`),
      (error: Error) => this.logger.warn(`Job ${chunk.jobId}: could not renew the lease of texts ${describeRange(chunk)}: ${error.message}`),
    );
  }

  private async attempt(chunk: Chunk): Promise<void> {
    for (;;) {
      const attemptedAt = Date.now();
      try {
        const { results, latencyMs, modelVersion } = await this.classify(chunk);
        if (this.abandoned) return;
        await this.commit(chunk, results, latencyMs, modelVersion);
        this.recovered();
        return;
      } catch (error) {
        if (this.abandoned) return;
        const code = errorCode(error);
        if (!TRANSIENT.has(code)) {
          await this.fail(chunk, code, error);
          return;
        }
        // Shutting down: the chunk is handed back (for another replica, or the next start) instead of retried.
        if (this.state !== 'running') return await this.giveBack(chunk);
        await this.sleep(this.pause(attemptedAt, code, error));
        if (this.state !== 'running') return await this.giveBack(chunk);
      }
    }
  }

  /** Classifies a chunk on the production engine; the chunk is stamped with the version that computed it. */
  private async classify(chunk: Chunk): Promise<{ results: Classification[]; latencyMs: number; modelVersion: string }> {
    const texts = chunk.texts.map((t) => t.text);
    const started = performance.now();
    this.textsInEngine += texts.length;
    this.ownCalls++;
    let results: Classification[];
    let modelVersion: string;
    try {
      ({ results, version: modelVersion } = await this.engine.classifyRouted(texts));
    } finally {
      this.textsInEngine -= texts.length;
    }
    if (results.length !== texts.length) {
      throw new AppError('INTERNAL', `The engine returned ${results.length} results for ${texts.length} texts. This is a bug.`);
    }
    return { results, latencyMs: performance.now() - started, modelVersion };
  }

  /**
   * One transaction: the prediction-log records, the results and the progress, if the chunk is still this runner's
   * and the job still running; otherwise nothing is written and the results are dropped. A database failure is
   * STORAGE_UNAVAILABLE, after which the chunk is retried (its lease is still held).
   */
  private async commit(chunk: Chunk, results: Classification[], latencyMs: number, modelVersion: string): Promise<void> {
    const inputs = chunk.texts.map((t, i) => ({ text: t.text, ...results[i] }));
    const records = this.predictions.newRecords(inputs, modelVersion, { source: 'job', jobId: chunk.jobId, latencyMs });
    const jobResults: JobResult[] = records.map((record, i) => ({
      index: chunk.texts[i].index,
      label: record.label,
      score: record.score,
      predictionId: record.id,
      modelVersion,
    }));
    let outcome;
    try {
      outcome = await this.store.commit(chunk, this.owner, jobResults, records, Date.now());
    } catch (error) {
      throw new AppError('STORAGE_UNAVAILABLE', `Could not commit a chunk of job ${chunk.jobId}: ${(error as Error).message}`);
    }
    if (!outcome.committed) {
      const why = outcome.reason === 'lease-lost' ? 'its lease expired and another worker took the texts over' : 'the job is no longer running';
      this.logger.warn(`Job ${chunk.jobId}: results of texts ${describeRange(chunk)} discarded: ${why}`);
      return;
    }
    // Only now that the chunk committed are its predictions announced (metrics count them).
    this.predictions.publish(records);
    if (outcome.status === 'completed') this.logger.log(`Job ${chunk.jobId} completed`);
  }

  /** Frees the lease of a chunk this runner stops working on; a failure leaves it to expire. */
  private async giveBack(chunk: Chunk): Promise<void> {
    try {
      await this.store.release(chunk, this.owner);
    } catch (error) {
      this.logger.warn(`Job ${chunk.jobId}: could not release texts ${describeRange(chunk)} (they are free once the lease expires): ${(error as Error).message}`);
    }
  }

  private async fail(chunk: Chunk, code: AppErrorCode, error: unknown): Promise<void> {
    const first = chunk.texts[0].index;
    const last = chunk.texts[chunk.texts.length - 1].index;
    const shown = ERROR_HTTP[code].expose ? (error as Error).message : (GENERIC_MESSAGES[code] ?? GENERIC_MESSAGES.INTERNAL!);
    const jobError: JobError = { code, message: `${shown} (while classifying texts ${first} to ${last})` };
    this.logger.error(
      `Job ${chunk.jobId} failed on texts ${first} to ${last}: [${code}] ${(error as Error)?.message ?? String(error)}`,
      (error as Error)?.stack,
    );
    try {
      await this.store.markFailed(chunk.jobSeq, jobError, Date.now());
    } catch (storeError) {
      this.logger.error(
        `Could not record the failure of job ${chunk.jobId}: ${(storeError as Error).message}; its texts are retried once their lease expires`,
      );
    }
  }

  /**
   * Pauses every worker after a refusal of work attempted at `attemptedAt`; returns how long to wait. A refusal of
   * work attempted since the current pause began is news, and doubles the pause; one attempted before it (a
   * concurrent chunk refused at the same time) only waits for the current pause to end.
   */
  private pause(attemptedAt: number, code?: AppErrorCode, error?: unknown): number {
    const now = Date.now();
    if (attemptedAt >= this.pausedAt) {
      const first = this.backoffMs === 0;
      this.backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(FIRST_BACKOFF_MS, this.backoffMs * 2));
      this.pausedAt = now;
      this.pausedUntil = now + this.backoffMs;
      if (first) {
        const why = code ? `[${code}] ${(error as Error)?.message ?? ''}` : 'the database could not be read';
        this.logger.warn(`Job workers pause: ${why}; retrying, with pauses of ${FIRST_BACKOFF_MS} ms to ${MAX_BACKOFF_MS} ms`);
      }
    }
    return Math.max(0, this.pausedUntil - now);
  }

  private recovered(): void {
    if (this.backoffMs === 0) return;
    this.backoffMs = 0;
    this.logger.log('Job workers resume at full speed');
  }

  private wakeAfter(ms: number): void {
    if (this.wakeTimer) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.fill();
    }, ms);
    this.wakeTimer.unref();
  }

  /** Waits `ms`, or less if shutdown begins. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wakeUp = () => {
        clearTimeout(timer);
        this.sleepers.delete(wakeUp);
        resolve();
      };
      const timer = setTimeout(wakeUp, ms);
      this.sleepers.add(wakeUp);
    });
  }

  /** Whether every chunk in flight settled within `timeoutMs`. */
  private async drain(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      return await Promise.race([Promise.allSettled([...this.inFlight]).then(() => true as const), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * The stable code of an error: AppErrors and the engine's errors carry one (checked by shape: the addon's errors
 * may come from another realm); anything else is INTERNAL.
 */
function errorCode(error: unknown): AppErrorCode {
  if (error instanceof AppError) return error.code;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return isAppErrorCode(code) ? code : 'INTERNAL';
}

/** "3 to 7": the positions of a chunk's texts, for messages. */
function describeRange(chunk: Chunk): string {
  return `${chunk.texts[0].index} to ${chunk.texts[chunk.texts.length - 1].index}`;
}
