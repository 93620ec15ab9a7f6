import type { FeedbackEvent } from '../feedback/feedback.types';
import { ClassificationMetrics, classificationMetrics, ConfusionCell } from './classification-metrics';

export interface MonitoringSettings {
  /** Window length in ms; windows are aligned to the Unix epoch. */
  windowMs: number;
  /** Samples a window needs to become a baseline or to flag degradation. */
  minSamples: number;
  /** Relative weighted-F1 drop below the baseline that flags degradation (0.05 = more than 5 %). */
  threshold: number;
  /** Past windows kept besides the current one. */
  historyWindows: number;
}

/**
 * The reference a model version is judged against: its first window that ended with at least minSamples
 * labelled predictions, frozen when that window ended.
 */
export interface Baseline {
  modelVersion: string;
  start: number;
  end: number;
  samples: number;
  accuracy: number;
  weightedF1: number;
  /** When it was established (ms since the epoch). */
  establishedAt: number;
}

/**
 * insufficient_samples: fewer than minSamples (figures shown, never flagged); no_baseline: the version has no
 * baseline yet; baseline: this window is the baseline; ok / degraded: compared with the baseline.
 */
export type DegradationStatus = 'insufficient_samples' | 'no_baseline' | 'baseline' | 'ok' | 'degraded';

export interface Degradation {
  status: DegradationStatus;
  degraded: boolean;
  baselineF1: number | null;
  /** (baseline F1 - window F1) / baseline F1: positive is worse; null without a baseline or when it is 0. */
  relativeDrop: number | null;
  threshold: number;
}

export interface WindowPerformance {
  modelVersion: string;
  start: number;
  end: number;
  /** False for the window that contains now. */
  closed: boolean;
  metrics: ClassificationMetrics;
  degradation: Degradation;
}

/** The verdict a model version's degraded flag comes from: its latest window with at least minSamples. */
export interface Assessment {
  modelVersion: string;
  start: number;
  end: number;
  samples: number;
  accuracy: number;
  weightedF1: number;
  degradation: Degradation;
}

export interface VersionPerformance {
  modelVersion: string;
  degraded: boolean;
  /** Undefined until one of the version's windows reached minSamples. */
  assessment?: Assessment;
  baseline?: Baseline;
  /** The window that contains now, if it has feedback. */
  current?: WindowPerformance;
  /** Earlier windows that have feedback, newest first. */
  history: WindowPerformance[];
}

/** Cheap figures per model version, for metrics gauges. */
export interface ModelFigures {
  modelVersion: string;
  /** The window the figures are from: the assessed one, else (none reached minSamples yet) the latest. */
  windowStart: number;
  windowEnd: number;
  samples: number;
  accuracy: number;
  weightedF1: number;
  degraded: boolean;
  /** Whether the window reached minSamples (its verdict counts). */
  assessed: boolean;
}

/** A model version's degraded flag changed (true: degradation started; false: it ended). */
export interface DegradationChange {
  modelVersion: string;
  degraded: boolean;
  assessment: Assessment;
}

/** Labelled predictions of one confusion cell in one window, as loaded from the database. */
export interface WindowCell extends ConfusionCell {
  modelVersion: string;
  windowStart: number;
}

export interface TrackerHooks {
  baselineEstablished(baseline: Baseline): void;
  degradationChanged(change: DegradationChange): void;
}

/**
 * A relative drop equal to the threshold is not "more than" it; the figures are ratios of counts, so a drop
 * computed as 0.25000000000000006 for an exact 0.25 must not flag. 1e-9 is far below any real difference.
 */
const DROP_TOLERANCE = 1e-9;

/**
 * Judges a window's weighted F1 against its version's baseline. A window below minSamples is reported but never
 * flags; without a baseline nothing flags; otherwise it is degraded when its weighted F1 is more than
 * `threshold` (relative) below the baseline's.
 */
export function assessDegradation(
  window: { start: number; samples: number; weightedF1: number },
  baseline: Baseline | undefined,
  settings: Pick<MonitoringSettings, 'minSamples' | 'threshold'>,
): Degradation {
  const { minSamples, threshold } = settings;
  const baselineF1 = baseline ? baseline.weightedF1 : null;
  const relativeDrop = baselineF1 ? (baselineF1 - window.weightedF1) / baselineF1 : null;
  const result = (status: DegradationStatus): Degradation => ({ status, degraded: status === 'degraded', baselineF1, relativeDrop, threshold });
  if (window.samples < minSamples) return result('insufficient_samples');
  if (!baseline) return result('no_baseline');
  if (baseline.start === window.start) return result('baseline');
  return result(relativeDrop !== null && relativeDrop > threshold + DROP_TOLERANCE ? 'degraded' : 'ok');
}

interface Window {
  start: number;
  /** Keyed by predicted + NUL + actual. */
  cells: Map<string, ConfusionCell>;
  samples: number;
  /** Cleared on every change; computed when asked. */
  metrics?: ClassificationMetrics;
}

/**
 * Rolling performance per model version, in memory: a confusion matrix per (version, window), updated by each
 * feedback in O(1) and trimmed to the current window plus `historyWindows` past ones, so memory and every read
 * are bounded by versions × windows × labels², whatever the number of predictions. Windows group feedback by the
 * time it was received. After every change the version is re-assessed and the hooks are told when a baseline is
 * established or the degraded flag changes, so each is reported once. A version whose windows all left the
 * history is no longer listed, but its baseline and last verdict are kept (one small record per version seen).
 * Time is always passed in (`now`).
 */
export class PerformanceTracker {
  /** Each version's windows with feedback, by start; a version without any is not listed. */
  private readonly versions = new Map<string, Map<number, Window>>();
  /** Kept for every version seen, whether or not it still has windows: a verdict outlives its window. */
  private readonly baselines = new Map<string, Baseline>();
  private readonly assessments = new Map<string, Assessment>();
  /** Start of the window that was current when the windows were last rolled. */
  private rolledAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly settings: MonitoringSettings,
    private readonly hooks: TrackerHooks,
  ) {}

  /** Start of the window containing `time`. */
  windowStart(time: number): number {
    return Math.floor(time / this.settings.windowMs) * this.settings.windowMs;
  }

  /** Start of the oldest window kept when `now` is current: feedback before it is not needed. */
  oldestKeptStart(now: number): number {
    return this.windowStart(now) - this.settings.historyWindows * this.settings.windowMs;
  }

  /** Rebuilds the state from the database (boot): the stored baselines and the labelled counts per window. */
  restore(baselines: readonly Baseline[], cells: readonly WindowCell[], now: number): void {
    for (const baseline of baselines) this.baselines.set(baseline.modelVersion, baseline);
    for (const cell of cells) this.add(cell.modelVersion, cell.windowStart, cell.predicted, cell.actual, cell.count);
    this.roll(now, true);
  }

  /**
   * Replaces the windows with those read from the shared store (several replicas, see MonitoringService): the
   * stored baselines replace any fixed here (the first one stored wins on every replica). The verdicts are kept,
   * so the hook hears of a degradation change only when the new figures change the flag, not at every reload.
   */
  reload(baselines: readonly Baseline[], cells: readonly WindowCell[], now: number): void {
    this.versions.clear();
    for (const baseline of baselines) this.baselines.set(baseline.modelVersion, baseline);
    for (const cell of cells) this.add(cell.modelVersion, cell.windowStart, cell.predicted, cell.actual, cell.count);
    this.roll(now, true);
  }

  /** Counts a committed feedback, moving a replaced label out of the window it was counted in. */
  applyFeedback(event: FeedbackEvent, now: number): void {
    this.roll(now);
    const { modelVersion, predictedLabel } = event;
    this.add(modelVersion, this.windowStart(event.receivedAt), predictedLabel, event.correctLabel, 1);
    if (event.previous) this.add(modelVersion, this.windowStart(event.previous.receivedAt), predictedLabel, event.previous.correctLabel, -1);
    this.trim(now);
    this.assess(modelVersion);
  }

  /** Rolls the windows forward when a window boundary has passed (a timer calls it; reads do too). */
  tick(now: number): void {
    this.roll(now);
  }

  /** Every version with feedback in the kept windows (or only `modelVersion`), most recently active first. */
  performance(now: number, filter: { modelVersion?: string; history?: number } = {}): VersionPerformance[] {
    this.roll(now);
    const currentStart = this.windowStart(now);
    const reports: VersionPerformance[] = [];
    for (const [modelVersion, versionWindows] of this.versions) {
      if (filter.modelVersion !== undefined && modelVersion !== filter.modelVersion) continue;
      const assessment = this.assessments.get(modelVersion);
      const baseline = this.baselines.get(modelVersion);
      const windows = [...versionWindows.values()].sort((a, b) => b.start - a.start).map((w) => this.windowPerformance(modelVersion, w, now));
      const current = windows.find((w) => w.start === currentStart);
      const history = windows.filter((w) => w !== current).slice(0, filter.history ?? this.settings.historyWindows);
      reports.push({
        modelVersion,
        degraded: assessment?.degradation.degraded ?? false,
        ...(assessment ? { assessment } : {}),
        ...(baseline ? { baseline } : {}),
        ...(current ? { current } : {}),
        history,
      });
    }
    const latest = (r: VersionPerformance) => r.current?.start ?? r.history[0]?.start ?? Number.NEGATIVE_INFINITY;
    return reports.sort((a, b) => latest(b) - latest(a) || (a.modelVersion < b.modelVersion ? -1 : 1));
  }

  /** The figures per model version behind its degraded flag; cheap (cached window metrics). */
  figures(now: number): ModelFigures[] {
    this.roll(now);
    const figures: ModelFigures[] = [];
    for (const [modelVersion, versionWindows] of this.versions) {
      const assessment = this.assessments.get(modelVersion);
      if (assessment) {
        const { start, end, samples, accuracy, weightedF1, degradation } = assessment;
        figures.push({ modelVersion, windowStart: start, windowEnd: end, samples, accuracy, weightedF1, degraded: degradation.degraded, assessed: true });
        continue;
      }
      const latest = latestOf(versionWindows.values());
      if (!latest) continue;
      const metrics = this.metricsOf(latest);
      figures.push({
        modelVersion,
        windowStart: latest.start,
        windowEnd: latest.start + this.settings.windowMs,
        samples: metrics.samples,
        accuracy: metrics.accuracy,
        weightedF1: metrics.weightedF1,
        degraded: false,
        assessed: false,
      });
    }
    return figures;
  }

  /**
   * When a boundary has passed (or `force`): establishes the baselines of versions whose first window with
   * minSamples has ended, drops windows older than the history, and re-assesses every version.
   */
  private roll(now: number, force = false): void {
    const currentStart = this.windowStart(now);
    if (!force && currentStart === this.rolledAt) return;
    this.rolledAt = currentStart;
    for (const [modelVersion, versionWindows] of this.versions) {
      if (!this.baselines.has(modelVersion)) this.establishBaseline(modelVersion, versionWindows, currentStart, now);
    }
    this.trim(now);
    for (const modelVersion of this.versions.keys()) this.assess(modelVersion);
  }

  private establishBaseline(modelVersion: string, versionWindows: Map<number, Window>, currentStart: number, now: number): void {
    const candidate = [...versionWindows.values()]
      .filter((w) => w.start + this.settings.windowMs <= currentStart && w.samples >= this.settings.minSamples)
      .sort((a, b) => a.start - b.start)[0];
    if (!candidate) return;
    const baseline: Baseline = { ...this.summaryOf(modelVersion, candidate), establishedAt: now };
    this.baselines.set(modelVersion, baseline);
    this.hooks.baselineEstablished(baseline);
  }

  private trim(now: number): void {
    const oldest = this.oldestKeptStart(now);
    for (const [modelVersion, versionWindows] of this.versions) {
      for (const start of versionWindows.keys()) if (start < oldest) versionWindows.delete(start);
      if (versionWindows.size === 0) this.versions.delete(modelVersion);
    }
  }

  /** Re-judges the version on its latest window with minSamples; tells the hook when the flag changes. */
  private assess(modelVersion: string): void {
    const versionWindows = this.versions.get(modelVersion);
    if (!versionWindows) return;
    const latest = latestOf([...versionWindows.values()].filter((w) => w.samples >= this.settings.minSamples));
    // With no window at minSamples (the assessed one left the history) the last verdict stands: no new
    // evidence is not a recovery.
    if (!latest) return;
    const summary = this.summaryOf(modelVersion, latest);
    const assessment: Assessment = { ...summary, degradation: assessDegradation(summary, this.baselines.get(modelVersion), this.settings) };
    const wasDegraded = this.assessments.get(modelVersion)?.degradation.degraded ?? false;
    this.assessments.set(modelVersion, assessment);
    if (assessment.degradation.degraded !== wasDegraded) {
      this.hooks.degradationChanged({ modelVersion, degraded: assessment.degradation.degraded, assessment });
    }
  }

  /** A window's span and headline figures, as baselines and assessments record them. */
  private summaryOf(modelVersion: string, window: Window): Omit<Assessment, 'degradation'> {
    const { samples, accuracy, weightedF1 } = this.metricsOf(window);
    return { modelVersion, start: window.start, end: window.start + this.settings.windowMs, samples, accuracy, weightedF1 };
  }

  /** Adds `count` (negative to retract) to one cell. */
  private add(modelVersion: string, start: number, predicted: string, actual: string, count: number): void {
    let versionWindows = this.versions.get(modelVersion);
    if (!versionWindows) {
      if (count < 0) return;
      versionWindows = new Map();
      this.versions.set(modelVersion, versionWindows);
    }
    let window = versionWindows.get(start);
    if (!window) {
      // A retraction from a window that already left the history has nothing to undo.
      if (count < 0) return;
      window = { start, cells: new Map(), samples: 0 };
      versionWindows.set(start, window);
    }
    const key = `${predicted}\u0000${actual}`;
    const cell = window.cells.get(key) ?? { predicted, actual, count: 0 };
    const applied = Math.max(count, -cell.count);
    cell.count += applied;
    window.samples += applied;
    window.metrics = undefined;
    if (cell.count === 0) window.cells.delete(key);
    else window.cells.set(key, cell);
    // An emptied window is dropped; a version left without windows is dropped by trim (which follows).
    if (window.samples === 0) versionWindows.delete(start);
  }

  private metricsOf(window: Window): ClassificationMetrics {
    window.metrics ??= classificationMetrics(window.cells.values());
    return window.metrics;
  }

  private windowPerformance(modelVersion: string, window: Window, now: number): WindowPerformance {
    const metrics = this.metricsOf(window);
    const end = window.start + this.settings.windowMs;
    return {
      modelVersion,
      start: window.start,
      end,
      closed: end <= now,
      metrics,
      degradation: assessDegradation({ start: window.start, samples: metrics.samples, weightedF1: metrics.weightedF1 }, this.baselines.get(modelVersion), this.settings),
    };
  }
}

function latestOf(windows: Iterable<Window>): Window | undefined {
  let latest: Window | undefined;
  for (const window of windows) if (latest === undefined || window.start > latest.start) latest = window;
  return latest;
}
