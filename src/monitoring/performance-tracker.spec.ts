import type { FeedbackEvent } from '../feedback/feedback.types';
import { assessDegradation, Baseline, DegradationChange, MonitoringSettings, PerformanceTracker, WindowCell } from './performance-tracker';

const W = 60_000;
/** A window boundary: windows are aligned to the epoch. */
const T0 = 1_000 * W;
const SETTINGS: MonitoringSettings = { windowMs: W, minSamples: 4, threshold: 0.25, historyWindows: 3 };

function setup(settings: Partial<MonitoringSettings> = {}) {
  const baselines: Baseline[] = [];
  const changes: DegradationChange[] = [];
  const tracker = new PerformanceTracker(
    { ...SETTINGS, ...settings },
    { baselineEstablished: (b) => baselines.push(b), degradationChanged: (c) => changes.push(c) },
  );
  let n = 0;
  /** Feedback received at `at` (also "now"), `count` times, each for a new prediction. */
  const feed = (at: number, predicted: string, actual: string, count = 1, modelVersion = 'v1') => {
    for (let i = 0; i < count; i++) {
      tracker.applyFeedback({ predictionId: `p${n++}`, modelVersion, predictedLabel: predicted, correctLabel: actual, receivedAt: at }, at);
    }
  };
  return { tracker, baselines, changes, feed };
}

describe('PerformanceTracker', () => {
  describe('windows', () => {
    it('groups feedback by the window of its receipt time, aligned to the epoch, per model version', () => {
      const { tracker, feed } = setup();
      feed(T0, 'P', 'P');
      feed(T0 + W - 1, 'P', 'N');
      feed(T0 + W, 'N', 'N');
      feed(T0 + W + 5, 'N', 'N', 1, 'v2');
      // Both were active in the same window last: ties go by name.
      const [v1, v2] = tracker.performance(T0 + W + 10);
      expect(v1.modelVersion).toBe('v1');
      expect(v1.current).toMatchObject({ start: T0 + W, end: T0 + 2 * W, closed: false, metrics: { samples: 1, correct: 1 } });
      expect(v1.history).toHaveLength(1);
      expect(v1.history[0]).toMatchObject({ start: T0, end: T0 + W, closed: true, metrics: { samples: 2, correct: 1, accuracy: 0.5 } });
      expect(v2).toMatchObject({ modelVersion: 'v2', current: { metrics: { samples: 1 } }, history: [] });
    });

    it('lists the most recently active version first and filters by model version', () => {
      const { tracker, feed } = setup();
      feed(T0, 'P', 'P', 1, 'old');
      feed(T0 + W, 'P', 'P', 1, 'new');
      expect(tracker.performance(T0 + W).map((v) => v.modelVersion)).toEqual(['new', 'old']);
      expect(tracker.performance(T0 + W, { modelVersion: 'old' }).map((v) => v.modelVersion)).toEqual(['old']);
      expect(tracker.performance(T0 + W, { modelVersion: 'none' })).toEqual([]);
    });

    it('has no current window until feedback arrives in it', () => {
      const { tracker, feed } = setup();
      feed(T0, 'P', 'P');
      const [v1] = tracker.performance(T0 + W);
      expect(v1.current).toBeUndefined();
      expect(v1.history.map((w) => w.start)).toEqual([T0]);
    });

    it('keeps the current window and MONITOR_HISTORY_WINDOWS past ones, and returns fewer when asked', () => {
      const { tracker, feed } = setup();
      for (let i = 0; i < 6; i++) feed(T0 + i * W, 'P', 'P');
      const now = T0 + 5 * W;
      const [v1] = tracker.performance(now);
      expect(v1.current?.start).toBe(T0 + 5 * W);
      expect(v1.history.map((w) => w.start)).toEqual([T0 + 4 * W, T0 + 3 * W, T0 + 2 * W]);
      expect(tracker.performance(now, { history: 1 })[0].history.map((w) => w.start)).toEqual([T0 + 4 * W]);
      expect(tracker.performance(now, { history: 0 })[0].history).toEqual([]);
    });

    it('forgets a version once all its windows left the history', () => {
      const { tracker, feed } = setup();
      feed(T0, 'P', 'P', 1, 'gone');
      feed(T0 + 4 * W, 'P', 'P', 1, 'kept');
      expect(tracker.performance(T0 + 4 * W).map((v) => v.modelVersion)).toEqual(['kept']);
      expect(tracker.figures(T0 + 4 * W).map((f) => f.modelVersion)).toEqual(['kept']);
    });

    it('moves a replaced label out of the window it was counted in, into the window of the new one', () => {
      const { tracker, feed } = setup();
      feed(T0, 'P', 'P'); // another prediction, so the old window stays
      tracker.applyFeedback({ predictionId: 'x', modelVersion: 'v1', predictedLabel: 'P', correctLabel: 'N', receivedAt: T0 + 1 }, T0 + 1);
      const replacement: FeedbackEvent = {
        predictionId: 'x',
        modelVersion: 'v1',
        predictedLabel: 'P',
        correctLabel: 'P',
        receivedAt: T0 + W + 1,
        previous: { correctLabel: 'N', receivedAt: T0 + 1 },
      };
      tracker.applyFeedback(replacement, T0 + W + 1);
      const [v1] = tracker.performance(T0 + W + 1);
      expect(v1.history[0].metrics).toMatchObject({ samples: 1, correct: 1 });
      expect(v1.current?.metrics).toMatchObject({ samples: 1, correct: 1 });
    });

    it('drops a window emptied by a replacement, and ignores the replaced label of a window already forgotten', () => {
      const { tracker, feed } = setup();
      feed(T0, 'P', 'N');
      const moved = (receivedAt: number, previousAt: number): FeedbackEvent => ({
        predictionId: 'p0',
        modelVersion: 'v1',
        predictedLabel: 'P',
        correctLabel: 'P',
        receivedAt,
        previous: { correctLabel: 'N', receivedAt: previousAt },
      });
      tracker.applyFeedback(moved(T0 + W, T0), T0 + W);
      let [v1] = tracker.performance(T0 + W);
      expect(v1.history).toEqual([]);
      expect(v1.current?.metrics.samples).toBe(1);
      // Its previous label was counted in a window that has left the history: nothing to take away.
      tracker.applyFeedback({ ...moved(T0 + 9 * W, T0 - 5 * W), previous: { correctLabel: 'P', receivedAt: T0 - 5 * W } }, T0 + 9 * W);
      [v1] = tracker.performance(T0 + 9 * W);
      expect(v1.current?.metrics).toMatchObject({ samples: 1, correct: 1 });
    });
  });

  describe('baseline', () => {
    it('is the first window that ended with at least MONITOR_MIN_SAMPLES, fixed once when it ends', () => {
      const { tracker, feed, baselines } = setup();
      feed(T0, 'P', 'P', 3); // too few
      feed(T0 + W, 'P', 'P', 3);
      feed(T0 + W, 'N', 'N', 1);
      const [before] = tracker.performance(T0 + W + 1);
      expect(before.baseline).toBeUndefined();
      expect(before.current?.degradation.status).toBe('no_baseline');
      expect(before.history[0]).toMatchObject({ start: T0, degradation: { status: 'insufficient_samples' } });
      expect(baselines).toEqual([]);

      tracker.tick(T0 + 2 * W);
      expect(baselines).toEqual([{ modelVersion: 'v1', start: T0 + W, end: T0 + 2 * W, samples: 4, accuracy: 1, weightedF1: 1, establishedAt: T0 + 2 * W }]);
      feed(T0 + 3 * W, 'P', 'N', 4); // a later qualifying window does not replace it
      tracker.tick(T0 + 4 * W);
      expect(baselines).toHaveLength(1);
      const [v1] = tracker.performance(T0 + 4 * W);
      expect(v1.baseline).toEqual(baselines[0]);
      expect(v1.history.find((w) => w.start === T0 + W)?.degradation.status).toBe('baseline');
    });

    it('is kept per model version', () => {
      const { tracker, feed, baselines } = setup();
      feed(T0, 'P', 'P', 4, 'a');
      feed(T0, 'P', 'N', 4, 'b');
      tracker.tick(T0 + W);
      expect(baselines.map((b) => [b.modelVersion, b.weightedF1])).toEqual([
        ['a', 1],
        ['b', 0],
      ]);
    });
  });

  describe('degradation', () => {
    /** Baseline window T0 with weighted F1 1 (4 right answers), then `now` in window T0 + W. */
    function withPerfectBaseline() {
      const ctx = setup();
      ctx.feed(T0, 'P', 'P', 2);
      ctx.feed(T0, 'N', 'N', 2);
      ctx.tracker.tick(T0 + W);
      expect(ctx.baselines).toHaveLength(1);
      return ctx;
    }

    it('flags a window whose weighted F1 is more than the threshold below the baseline, and logs the start once', () => {
      const { tracker, feed, changes } = withPerfectBaseline();
      const t = T0 + W;
      // Wrong answers only, but below MONITOR_MIN_SAMPLES (4) until the 4th arrives: nothing flags before it.
      feed(t, 'P', 'N', 2);
      feed(t, 'N', 'P', 1);
      expect(tracker.performance(t)[0].current?.degradation).toMatchObject({ status: 'insufficient_samples', degraded: false, baselineF1: 1 });
      expect(changes).toEqual([]);
      // 4 wrong answers of 2 labels: each label has precision 0 and recall 0, so weighted F1 0: a drop of 100 %.
      feed(t, 'N', 'P', 1);
      const [v1] = tracker.performance(t);
      expect(v1.current?.degradation).toEqual({ status: 'degraded', degraded: true, baselineF1: 1, relativeDrop: 1, threshold: 0.25 });
      expect(v1.degraded).toBe(true);
      expect(changes).toHaveLength(1);
      expect(changes[0]).toMatchObject({ modelVersion: 'v1', degraded: true, assessment: { start: t, samples: 4, weightedF1: 0 } });

      feed(t, 'N', 'P', 2); // still degraded: no second report
      expect(changes).toHaveLength(1);
    });

    it('does not flag a drop exactly equal to the threshold, and flags one just beyond it', () => {
      const { tracker, feed, changes } = withPerfectBaseline();
      const t = T0 + W;
      // In this order no intermediate state with 4 or more samples is below 0.75. At the end each label has TP 3,
      // predicted 4 and support 4, so F1 = 6/8 = 0.75 and weighted F1 0.75: a drop of exactly 0.25.
      feed(t, 'A', 'A', 3);
      feed(t, 'B', 'B', 3);
      feed(t, 'A', 'B', 1);
      feed(t, 'B', 'A', 1);
      let [v1] = tracker.performance(t);
      expect(v1.current?.metrics.weightedF1).toBe(0.75);
      expect(v1.current?.degradation).toMatchObject({ status: 'ok', degraded: false, relativeDrop: 0.25 });
      expect(changes).toEqual([]);
      // One more wrong answer: A: TP 3, predicted 5, support 4 → F1 6/9; B: TP 3, predicted 4, support 5 → 6/9.
      feed(t, 'A', 'B', 1);
      [v1] = tracker.performance(t);
      expect(v1.current?.metrics.weightedF1).toBeCloseTo(6 / 9, 12);
      expect(v1.current?.degradation).toMatchObject({ status: 'degraded', degraded: true });
      expect(changes.map((c) => c.degraded)).toEqual([true]);
    });

    it('logs the end once when a later window recovers, and not when a new window starts with too few samples', () => {
      const { tracker, feed, changes } = withPerfectBaseline();
      feed(T0 + W, 'P', 'N', 4);
      expect(changes.map((c) => c.degraded)).toEqual([true]);

      // The next window starts: 2 samples are no evidence, the verdict of the last assessed window stands.
      feed(T0 + 2 * W, 'P', 'P', 2);
      let [v1] = tracker.performance(T0 + 2 * W);
      expect(v1.degraded).toBe(true);
      expect(v1.assessment?.start).toBe(T0 + W);
      expect(v1.current?.degradation.status).toBe('insufficient_samples');
      expect(changes).toHaveLength(1);

      feed(T0 + 2 * W, 'N', 'N', 2);
      [v1] = tracker.performance(T0 + 2 * W);
      expect(v1.degraded).toBe(false);
      expect(v1.assessment?.start).toBe(T0 + 2 * W);
      expect(changes.map((c) => [c.degraded, c.assessment.start])).toEqual([
        [true, T0 + W],
        [false, T0 + 2 * W],
      ]);
    });

    it('keeps the verdict when the assessed window leaves the history', () => {
      const { tracker, feed, changes } = withPerfectBaseline();
      feed(T0 + W, 'P', 'N', 4);
      feed(T0 + 5 * W, 'P', 'P', 1);
      const [v1] = tracker.performance(T0 + 5 * W);
      expect(v1.history.map((w) => w.start)).toEqual([]);
      expect(v1.degraded).toBe(true);
      expect(changes).toHaveLength(1);
    });

    it('never flags without a baseline', () => {
      const { tracker, feed, changes } = setup();
      feed(T0, 'P', 'N', 10);
      expect(tracker.performance(T0)[0]).toMatchObject({ degraded: false, current: { degradation: { status: 'no_baseline', degraded: false, baselineF1: null } } });
      expect(changes).toEqual([]);
    });
  });

  describe('figures', () => {
    it('are those of the window the degraded flag comes from, else of the latest window', () => {
      const { tracker, feed } = setup();
      feed(T0, 'P', 'P', 3);
      feed(T0, 'P', 'N', 1);
      expect(tracker.figures(T0)).toEqual([
        { modelVersion: 'v1', windowStart: T0, windowEnd: T0 + W, samples: 4, accuracy: 0.75, weightedF1: expect.any(Number), degraded: false, assessed: true },
      ]);
      feed(T0 + W, 'N', 'N', 1, 'v2');
      expect(tracker.figures(T0 + W).find((f) => f.modelVersion === 'v2')).toEqual({
        modelVersion: 'v2',
        windowStart: T0 + W,
        windowEnd: T0 + 2 * W,
        samples: 1,
        accuracy: 1,
        weightedF1: 1,
        degraded: false,
        assessed: false,
      });
    });
  });

  describe('restore', () => {
    it('rebuilds from stored counts and baselines what live feedback built, and reports a degradation it finds', () => {
      const live = setup();
      live.feed(T0, 'P', 'P', 4);
      live.feed(T0 + W, 'P', 'N', 3);
      live.feed(T0 + W, 'N', 'N', 2);
      const now = T0 + W + 7;
      const expected = live.tracker.performance(now);

      const cells: WindowCell[] = [
        { modelVersion: 'v1', windowStart: T0, predicted: 'P', actual: 'P', count: 4 },
        { modelVersion: 'v1', windowStart: T0 + W, predicted: 'P', actual: 'N', count: 3 },
        { modelVersion: 'v1', windowStart: T0 + W, predicted: 'N', actual: 'N', count: 2 },
        { modelVersion: 'v1', windowStart: T0 - 10 * W, predicted: 'N', actual: 'N', count: 9 }, // beyond the history
      ];
      const restored = setup();
      restored.tracker.restore(live.baselines, cells, now);
      expect(restored.tracker.performance(now)).toEqual(expected);
      expect(restored.baselines).toEqual([]); // the stored one is used, not established again
      expect(restored.changes.map((c) => c.degraded)).toEqual([true]);
    });

    it('reload replaces the windows with the store\'s, takes the stored baseline, and reports only flag changes', () => {
      const { tracker, baselines, changes } = setup();
      const stored: Baseline = { modelVersion: 'v1', start: T0, end: T0 + W, samples: 4, accuracy: 1, weightedF1: 1, establishedAt: T0 + W };
      const degraded: WindowCell[] = [
        { modelVersion: 'v1', windowStart: T0, predicted: 'P', actual: 'P', count: 4 },
        { modelVersion: 'v1', windowStart: T0 + W, predicted: 'P', actual: 'N', count: 4 },
      ];
      tracker.reload([stored], degraded, T0 + W + 1);
      tracker.reload([stored], degraded, T0 + W + 2); // same figures: no second report
      expect(changes.map((c) => c.degraded)).toEqual([true]);
      expect(baselines).toEqual([]);
      // The store now holds other windows: the old ones are gone, not added to.
      tracker.reload([stored], [{ modelVersion: 'v1', windowStart: T0 + W, predicted: 'P', actual: 'P', count: 4 }], T0 + W + 3);
      expect(tracker.performance(T0 + W + 3)[0].current?.metrics).toMatchObject({ samples: 4, correct: 4 });
      expect(tracker.performance(T0 + W + 3)[0].history).toEqual([]);
      expect(changes.map((c) => c.degraded)).toEqual([true, false]);
    });

    it('establishes the baseline of a window that ended while the server was down', () => {
      const { tracker, baselines } = setup();
      tracker.restore([], [{ modelVersion: 'v1', windowStart: T0, predicted: 'P', actual: 'P', count: 5 }], T0 + 2 * W);
      expect(baselines).toEqual([{ modelVersion: 'v1', start: T0, end: T0 + W, samples: 5, accuracy: 1, weightedF1: 1, establishedAt: T0 + 2 * W }]);
    });
  });
});

describe('assessDegradation', () => {
  const baseline = (weightedF1: number): Baseline => ({ modelVersion: 'v', start: 0, end: W, samples: 100, accuracy: weightedF1, weightedF1, establishedAt: W });
  const settings = { minSamples: 30, threshold: 0.25 };

  it('does not flag a relative drop equal to the threshold even when floating point makes it a hair larger', () => {
    // (0.8 - 0.6) / 0.8 is 0.25000000000000006 in binary floating point.
    expect((0.8 - 0.6) / 0.8).toBeGreaterThan(0.25);
    expect(assessDegradation({ start: W, samples: 30, weightedF1: 0.6 }, baseline(0.8), settings)).toMatchObject({ status: 'ok', degraded: false });
    expect(assessDegradation({ start: W, samples: 30, weightedF1: 0.5999 }, baseline(0.8), settings)).toMatchObject({ status: 'degraded', degraded: true });
  });

  it('reports the relative drop, negative for an improvement', () => {
    expect(assessDegradation({ start: W, samples: 30, weightedF1: 0.9 }, baseline(0.8), settings)).toEqual({
      status: 'ok',
      degraded: false,
      baselineF1: 0.8,
      relativeDrop: expect.closeTo(-0.125, 12),
      threshold: 0.25,
    });
  });

  it('never flags below the minimum sample count', () => {
    expect(assessDegradation({ start: W, samples: 29, weightedF1: 0 }, baseline(0.8), settings)).toEqual({
      status: 'insufficient_samples',
      degraded: false,
      baselineF1: 0.8,
      relativeDrop: 1,
      threshold: 0.25,
    });
  });

  it('cannot measure a drop from a baseline of 0', () => {
    expect(assessDegradation({ start: W, samples: 30, weightedF1: 0 }, baseline(0), settings)).toMatchObject({ status: 'ok', degraded: false, relativeDrop: null });
  });

  it('says so for the baseline window itself', () => {
    expect(assessDegradation({ start: 0, samples: 100, weightedF1: 0.5 }, baseline(0.8), settings)).toMatchObject({ status: 'baseline', degraded: false });
  });
});
