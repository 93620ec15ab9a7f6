import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { FeedbackService } from '../feedback/feedback.service';
import type { PerformanceQueryDto } from './dto/performance-query.dto';
import type { BaselineDto, ModelPerformanceDto, PerformanceResponseDto, WindowPerformanceDto } from './dto/performance-response.dto';
import { MonitoringStore } from './monitoring.store';
import { Baseline, DegradationChange, ModelFigures, PerformanceTracker, VersionPerformance, WindowPerformance } from './performance-tracker';

/** Longest wait between two timer checks for a window boundary (setTimeout cannot wait beyond ~24.8 days). */
const MAX_TIMER_MS = 60 * 60 * 1000;

/**
 * Live model performance from feedback: accuracy, precision, recall and F1 per model version over rolling
 * windows, and degradation against each version's baseline (see PerformanceTracker for the rules).
 *
 * Cost: the windows are rebuilt from the database once, at startup (one indexed, aggregated join over the
 * feedback of the kept windows). After that every committed feedback updates them in memory in O(1) (the
 * feedback service tells this service), so no SQL runs per feedback or per read, reads are always up to date,
 * and memory is bounded by versions × windows × labels² whatever the number of predictions. A timer rolls the
 * windows at each boundary, so baselines are fixed and degradation is logged even when nobody reads.
 *
 * Several replicas (PostgreSQL, DATABASE_URL): a replica hears only of the feedback sent to it, so there the
 * windows come from the shared store alone: reloaded every MONITOR_REFRESH_SECONDS (at multiples of it since the
 * epoch, so replicas reload together), and local feedback events are not applied in between. Every replica then
 * reports the same figures, at most MONITOR_REFRESH_SECONDS behind the feedback committed on any replica. A failed
 * reload keeps the last figures (logged) and is retried at the next tick.
 */
@Injectable()
export class MonitoringService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(MonitoringService.name);
  private readonly tracker: PerformanceTracker;
  /** Baselines not yet stored (the database refused); retried at each roll. */
  private readonly unsavedBaselines: Baseline[] = [];
  private savingBaselines = false;
  private timer: NodeJS.Timeout | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  /** The reload in flight, if any: a slow database never stacks reloads. */
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly feedback: FeedbackService,
    private readonly store: MonitoringStore,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {
    this.tracker = new PerformanceTracker(
      {
        windowMs: config.monitorWindowMinutes * 60_000,
        minSamples: config.monitorMinSamples,
        threshold: config.monitorDegradationThreshold,
        historyWindows: config.monitorHistoryWindows,
      },
      {
        baselineEstablished: (baseline) => this.saveBaseline(baseline),
        degradationChanged: (change) => this.logDegradation(change),
      },
    );
  }

  /** Whether the store is shared by several replicas (PostgreSQL): then the windows are reloaded from it. */
  get sharedStore(): boolean {
    return this.config.databaseUrl !== undefined;
  }

  async onModuleInit(): Promise<void> {
    const now = this.clock.now();
    const started = performance.now();
    const [baselines, cells] = await this.readStore(now);
    this.tracker.restore(baselines, cells, now);
    const samples = cells.reduce((sum, cell) => sum + cell.count, 0);
    this.logger.log(`Performance monitoring restored ${samples} labelled prediction(s) of the kept windows in ${Math.round(performance.now() - started)} ms`);
    if (this.sharedStore) this.scheduleRefresh();
    else this.feedback.subscribe((event) => this.tracker.applyFeedback(event, this.clock.now()));
    this.schedule();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.timer = undefined;
    this.refreshTimer = undefined;
  }

  /**
   * Reloads the windows and baselines from the store (shared store: every MONITOR_REFRESH_SECONDS). Resolves when
   * done; a failure is logged and the last figures stay.
   */
  refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const now = this.clock.now();
        const [baselines, cells] = await this.readStore(now);
        this.tracker.reload(baselines, cells, this.clock.now());
        this.retryUnsavedBaselines();
      } catch (error) {
        this.logger.warn(`Reloading the monitoring windows from the database failed (the last figures stay): ${(error as Error).message}`);
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  private readStore(now: number) {
    return Promise.all([this.store.baselines(), this.store.labelledCounts(this.tracker.oldestKeptStart(now), this.config.monitorWindowMinutes * 60_000)]);
  }

  /** The next reload, at the next multiple of MONITOR_REFRESH_SECONDS since the epoch (replicas reload together). */
  private scheduleRefresh(): void {
    const intervalMs = this.config.monitorRefreshSeconds * 1000;
    const now = this.clock.now();
    const untilNext = intervalMs - (now % intervalMs);
    this.refreshTimer = setTimeout(() => {
      void this.refresh().finally(() => {
        if (this.refreshTimer) this.scheduleRefresh();
      });
    }, untilNext);
    this.refreshTimer.unref();
  }

  /** GET /monitoring/performance: every model version's current and past windows, with degradation. */
  report(query: PerformanceQueryDto = {}): PerformanceResponseDto {
    const now = this.clock.now();
    const history = Math.min(query.history ?? this.config.monitorHistoryWindows, this.config.monitorHistoryWindows);
    const versions = this.tracker.performance(now, { modelVersion: query.model_version, history });
    return {
      generated_at: iso(now),
      window_minutes: this.config.monitorWindowMinutes,
      min_samples: this.config.monitorMinSamples,
      degradation_threshold: this.config.monitorDegradationThreshold,
      history_windows: this.config.monitorHistoryWindows,
      models: versions.map(toModelDto),
    };
  }

  /**
   * For metrics gauges, per model version: accuracy, weighted F1, sample count and degraded flag of the window
   * the flag comes from. Synchronous and cheap (in-memory, cached window metrics).
   */
  currentFigures(): ModelFigures[] {
    return this.tracker.figures(this.clock.now());
  }

  /** Rolls the windows at the next boundary, then again at the one after. */
  private schedule(): void {
    const windowMs = this.config.monitorWindowMinutes * 60_000;
    const now = this.clock.now();
    const untilBoundary = this.tracker.windowStart(now) + windowMs - now;
    this.timer = setTimeout(() => {
      try {
        this.tracker.tick(this.clock.now());
        this.retryUnsavedBaselines();
      } catch (error) {
        // A bug here must not take the server down from a timer; reads roll the windows too.
        this.logger.error(`Rolling the monitoring windows failed: ${(error as Error).message}`, (error as Error).stack);
      }
      this.schedule();
    }, Math.min(untilBoundary + 1, MAX_TIMER_MS));
    // An idle monitor must not keep the process alive.
    this.timer.unref();
  }

  private saveBaseline(baseline: Baseline): void {
    this.logger.log({
      msg: `Baseline of model version ${baseline.modelVersion}: weighted F1 ${baseline.weightedF1.toFixed(4)} over ${baseline.samples} labelled predictions (${iso(baseline.start)} to ${iso(baseline.end)})`,
      event: 'model_baseline_established',
      model_version: baseline.modelVersion,
      window_start: iso(baseline.start),
      window_end: iso(baseline.end),
      samples: baseline.samples,
      weighted_f1: baseline.weightedF1,
      accuracy: baseline.accuracy,
    });
    this.unsavedBaselines.push(baseline);
    this.retryUnsavedBaselines();
  }

  private retryUnsavedBaselines(): void {
    void this.saveUnsavedBaselines();
  }

  /** Stores the baselines waiting, oldest first, one at a time; stops at the first failure (retried later). */
  private async saveUnsavedBaselines(): Promise<void> {
    if (this.savingBaselines) return;
    this.savingBaselines = true;
    try {
      while (this.unsavedBaselines.length > 0) {
        try {
          await this.store.saveBaseline(this.unsavedBaselines[0]);
          this.unsavedBaselines.shift();
        } catch (error) {
          // Kept in memory meanwhile; only a restart before it is stored could pick another window.
          this.logger.warn(`Could not store the baseline of model version ${this.unsavedBaselines[0].modelVersion} (retried at the next window): ${(error as Error).message}`);
          return;
        }
      }
    } finally {
      this.savingBaselines = false;
    }
  }

  /** One structured warning when a version's degradation starts and one when it ends. */
  private logDegradation({ modelVersion, degraded, assessment }: DegradationChange): void {
    const { degradation } = assessment;
    const f1 = assessment.weightedF1.toFixed(4);
    const baseline = degradation.baselineF1?.toFixed(4);
    const drop = degradation.relativeDrop === null ? 'n/a' : `${(degradation.relativeDrop * 100).toFixed(1)} %`;
    this.logger.warn({
      msg: degraded
        ? `Model version ${modelVersion} is degraded: weighted F1 ${f1} is ${drop} below its baseline ${baseline} (threshold ${degradation.threshold * 100} %)`
        : `Model version ${modelVersion} is no longer degraded: weighted F1 ${f1}, ${drop} below its baseline ${baseline} (threshold ${degradation.threshold * 100} %)`,
      event: degraded ? 'model_degradation_started' : 'model_degradation_ended',
      model_version: modelVersion,
      window_start: iso(assessment.start),
      window_end: iso(assessment.end),
      samples: assessment.samples,
      accuracy: assessment.accuracy,
      weighted_f1: assessment.weightedF1,
      baseline_f1: degradation.baselineF1,
      relative_drop: degradation.relativeDrop,
      threshold: degradation.threshold,
    });
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function toModelDto(version: VersionPerformance): ModelPerformanceDto {
  return {
    model_version: version.modelVersion,
    degraded: version.degraded,
    assessed_window_start: version.assessment ? iso(version.assessment.start) : null,
    baseline: version.baseline ? toBaselineDto(version.baseline) : null,
    current: version.current ? toWindowDto(version.current) : null,
    history: version.history.map(toWindowDto),
  };
}

function toBaselineDto(baseline: Baseline): BaselineDto {
  return {
    start: iso(baseline.start),
    end: iso(baseline.end),
    samples: baseline.samples,
    accuracy: baseline.accuracy,
    weighted_f1: baseline.weightedF1,
    established_at: iso(baseline.establishedAt),
  };
}

function toWindowDto({ modelVersion, start, end, closed, metrics, degradation }: WindowPerformance): WindowPerformanceDto {
  return {
    model_version: modelVersion,
    start: iso(start),
    end: iso(end),
    closed,
    samples: metrics.samples,
    correct: metrics.correct,
    accuracy: metrics.accuracy,
    weighted_precision: metrics.weightedPrecision,
    weighted_recall: metrics.weightedRecall,
    weighted_f1: metrics.weightedF1,
    labels: metrics.labels.map(({ label, precision, recall, f1, support, predicted }) => ({ label, precision, recall, f1, support, predicted })),
    degradation: {
      status: degradation.status,
      degraded: degradation.degraded,
      baseline_f1: degradation.baselineF1,
      relative_drop: degradation.relativeDrop,
      threshold: degradation.threshold,
    },
  };
}
