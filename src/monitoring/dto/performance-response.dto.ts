import { ApiProperty } from '@nestjs/swagger';
import type { DegradationStatus } from '../performance-tracker';

export class LabelPerformanceDto {
  @ApiProperty({ example: 'POSITIVE' })
  label: string;

  @ApiProperty({ description: 'TP / predicted; 0 when the label was never predicted (zero_division=0).', example: 0.75 })
  precision: number;

  @ApiProperty({ description: 'TP / support; 0 when the label was never the true one.', example: 0.6 })
  recall: number;

  @ApiProperty({ description: '2·TP / (2·TP + FP + FN); 0 when that is 0/0.', example: 0.6667 })
  f1: number;

  @ApiProperty({ description: 'Labelled predictions whose correct label is this one.', example: 5 })
  support: number;

  @ApiProperty({ description: 'Labelled predictions the model gave this label.', example: 4 })
  predicted: number;
}

export class DegradationDto {
  @ApiProperty({
    enum: ['insufficient_samples', 'no_baseline', 'baseline', 'ok', 'degraded'],
    description:
      'insufficient_samples: fewer than MONITOR_MIN_SAMPLES (never flags); no_baseline: the version has no baseline yet; ' +
      'baseline: this window is the baseline; ok or degraded: compared with the baseline.',
    example: 'ok',
  })
  status: DegradationStatus;

  @ApiProperty({ description: 'relative_drop > threshold, in a window with at least MONITOR_MIN_SAMPLES.', example: false })
  degraded: boolean;

  @ApiProperty({ type: Number, nullable: true, description: "The baseline's weighted F1; null without a baseline.", example: 0.91 })
  baseline_f1: number | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: '(baseline_f1 - weighted_f1) / baseline_f1: positive is worse; null without a baseline (or when it is 0).',
    example: 0.012,
  })
  relative_drop: number | null;

  @ApiProperty({ description: 'MONITOR_DEGRADATION_THRESHOLD.', example: 0.05 })
  threshold: number;
}

export class WindowPerformanceDto {
  @ApiProperty({ example: 'demo-sentiment@3f2a9c0b1d4e' })
  model_version: string;

  @ApiProperty({ description: 'Start of the window (inclusive, ISO 8601).', example: '2025-01-01T12:00:00.000Z' })
  start: string;

  @ApiProperty({ description: 'End of the window (exclusive, ISO 8601).', example: '2025-01-01T13:00:00.000Z' })
  end: string;

  @ApiProperty({ description: 'False for the window that contains now (its figures still change).', example: false })
  closed: boolean;

  @ApiProperty({ description: 'Labelled predictions whose (latest) feedback was received in the window.', example: 8 })
  samples: number;

  @ApiProperty({ description: 'Labelled predictions whose predicted label was the correct one.', example: 5 })
  correct: number;

  @ApiProperty({ example: 0.625 })
  accuracy: number;

  @ApiProperty({ description: 'Precision averaged over labels weighted by support (sklearn average="weighted").', example: 0.625 })
  weighted_precision: number;

  @ApiProperty({ description: 'Recall weighted by support (always equal to accuracy).', example: 0.625 })
  weighted_recall: number;

  @ApiProperty({ description: 'F1 weighted by support: the figure degradation is judged on.', example: 0.631 })
  weighted_f1: number;

  @ApiProperty({ type: [LabelPerformanceDto], description: 'Labels that occur as predicted or correct labels, sorted.' })
  labels: LabelPerformanceDto[];

  @ApiProperty({ type: DegradationDto })
  degradation: DegradationDto;
}

export class BaselineDto {
  @ApiProperty({ example: '2025-01-01T09:00:00.000Z' })
  start: string;

  @ApiProperty({ example: '2025-01-01T10:00:00.000Z' })
  end: string;

  @ApiProperty({ example: 120 })
  samples: number;

  @ApiProperty({ example: 0.92 })
  accuracy: number;

  @ApiProperty({ example: 0.91 })
  weighted_f1: number;

  @ApiProperty({ description: 'When the baseline was fixed (after its window ended).', example: '2025-01-01T10:00:00.004Z' })
  established_at: string;
}

export class ModelPerformanceDto {
  @ApiProperty({ example: 'demo-sentiment@3f2a9c0b1d4e' })
  model_version: string;

  @ApiProperty({
    description:
      'The verdict of the latest window with at least MONITOR_MIN_SAMPLES (assessed_window_start); it stands until a ' +
      'later window reaches MONITOR_MIN_SAMPLES.',
    example: false,
  })
  degraded: boolean;

  @ApiProperty({ type: String, nullable: true, description: 'Start of the window the degraded flag comes from; null before any window reached MONITOR_MIN_SAMPLES.' })
  assessed_window_start: string | null;

  @ApiProperty({
    type: BaselineDto,
    nullable: true,
    description: 'The first window of this version that ended with at least MONITOR_MIN_SAMPLES, frozen; null until then.',
  })
  baseline: BaselineDto | null;

  @ApiProperty({ type: WindowPerformanceDto, nullable: true, description: 'The window containing now; null when it has no feedback yet.' })
  current: WindowPerformanceDto | null;

  @ApiProperty({ type: [WindowPerformanceDto], description: 'Earlier windows with feedback, newest first.' })
  history: WindowPerformanceDto[];
}

export class PerformanceResponseDto {
  @ApiProperty({ example: '2025-01-01T12:34:56.789Z' })
  generated_at: string;

  @ApiProperty({ description: 'MONITOR_WINDOW_MINUTES.', example: 60 })
  window_minutes: number;

  @ApiProperty({ description: 'MONITOR_MIN_SAMPLES.', example: 30 })
  min_samples: number;

  @ApiProperty({ description: 'MONITOR_DEGRADATION_THRESHOLD.', example: 0.05 })
  degradation_threshold: number;

  @ApiProperty({ description: 'MONITOR_HISTORY_WINDOWS.', example: 24 })
  history_windows: number;

  @ApiProperty({ type: [ModelPerformanceDto], description: 'Model versions with feedback in the kept windows, most recently active first.' })
  models: ModelPerformanceDto[];
}
