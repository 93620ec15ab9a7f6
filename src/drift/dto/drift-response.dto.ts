import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { WindowStatus } from '../drift.types';

export class DriftTestDto {
  @ApiProperty({
    description:
      'embedding_0..embedding_31 (projected components), confidence, entropy, token_count, unknown_share, non_letter_share, label, truncated, embedding (the multivariate test)',
    example: 'confidence',
  })
  feature: string;

  @ApiProperty({ enum: ['ks', 'chi2', 'fisher', 'mmd'], example: 'ks' })
  test: string;

  @ApiProperty({ example: 0.081 })
  statistic: number;

  @ApiProperty({ example: 0.0123 })
  p_value: number;

  @ApiProperty({ description: 'Holm-adjusted over every test of the window.', example: 0.41 })
  adjusted_p_value: number;

  @ApiProperty({ description: 'adjusted_p_value < alpha', example: false })
  drifted: boolean;
}

export class DriftWindowDto {
  @ApiProperty({ description: 'Per model version, increasing.', example: 12 })
  sequence: number;

  @ApiProperty({
    enum: ['ok', 'drift', 'no_reference', 'insufficient_samples'],
    description:
      'ok / drift: tested against the reference; no_reference: the version had none; insufficient_samples: closed by time with fewer than DRIFT_MIN_SAMPLES.',
  })
  status: WindowStatus;

  @ApiProperty({ example: '2026-11-30T21:00:00.000Z' })
  started_at: string;

  @ApiProperty({ example: '2026-11-30T21:05:00.000Z' })
  closed_at: string;

  @ApiProperty({ enum: ['size', 'time'], description: 'Full (DRIFT_WINDOW_SIZE) or timed out (DRIFT_WINDOW_MAX_MINUTES).' })
  closed_by: string;

  @ApiProperty({ description: 'Predictions in the window.', example: 1000 })
  size: number;

  @ApiProperty({ example: 0.05 })
  alpha: number;

  @ApiProperty({ example: 'holm' })
  correction: string;

  @ApiProperty({ description: 'Time the statistics took on the evaluation thread, in ms.', example: 180.5 })
  evaluation_ms: number;

  @ApiPropertyOptional({ description: 'Why the embedding was not tested, when it was not.' })
  embedding_unavailable?: string;

  @ApiProperty({ type: [DriftTestDto] })
  tests: DriftTestDto[];
}

export class DriftReferenceDto {
  @ApiProperty({ enum: ['ready', 'building', 'none', 'failed'], example: 'ready' })
  status: string;

  @ApiPropertyOptional({ description: 'Texts in the reference.', example: 500 })
  size?: number;

  @ApiPropertyOptional({ enum: ['file', 'admin'] })
  source?: string;

  @ApiPropertyOptional({ description: 'The reference file, for source file.' })
  file?: string;

  @ApiPropertyOptional({ example: '2026-11-30T20:00:00.000Z' })
  created_at?: string;

  @ApiPropertyOptional({ description: 'Texts the embedding projection was fitted on (disjoint from the reference).', example: 500 })
  projection_fit_size?: number;

  @ApiPropertyOptional({ description: 'Why it could not be built (status failed).' })
  problem?: string;
}

export class DriftEmbeddingDto {
  @ApiPropertyOptional({ description: 'The model output read.', example: 'sentence_embedding' })
  output?: string;

  @ApiPropertyOptional({ description: 'Its width.', example: 128 })
  dim?: number;

  @ApiPropertyOptional({ description: 'Components tested after the projection.', example: 32 })
  projected_dim?: number;

  @ApiPropertyOptional({ description: 'Why embedding drift is not tested.' })
  unavailable?: string;
}

export class DriftCurrentWindowDto {
  @ApiProperty({ example: 412 })
  size: number;

  @ApiProperty({ description: 'DRIFT_WINDOW_SIZE', example: 1000 })
  capacity: number;

  @ApiProperty({ type: String, nullable: true, example: '2026-11-30T21:05:00.000Z' })
  started_at: string | null;
}

export class DriftVersionDto {
  @ApiProperty({ example: 'demo-sentiment@3f2a9c0b1d4e' })
  model_version: string;

  @ApiProperty({ description: 'Whether the version is loaded and watched now (false: only its stored history).' })
  attached: boolean;

  @ApiProperty({ description: 'Whether its last tested window was drift.' })
  drifting: boolean;

  @ApiProperty({ type: DriftReferenceDto })
  reference: DriftReferenceDto;

  @ApiProperty({ type: DriftEmbeddingDto })
  embedding: DriftEmbeddingDto;

  @ApiProperty({ type: DriftCurrentWindowDto, nullable: true })
  current_window: DriftCurrentWindowDto | null;

  @ApiProperty({ type: [DriftWindowDto], description: 'Past windows, newest first.' })
  windows: DriftWindowDto[];
}

export class DriftResponseDto {
  @ApiProperty({ description: 'DRIFT_ENABLED' })
  enabled: boolean;

  @ApiProperty({ example: 1000 })
  window_size: number;

  @ApiProperty({ example: 100 })
  min_samples: number;

  @ApiProperty({ example: 60 })
  window_max_minutes: number;

  @ApiProperty({ example: 0.05 })
  alpha: number;

  @ApiProperty({ example: 'holm' })
  correction: string;

  @ApiProperty({ type: [String], example: ['sentiment', 'batch', 'job'] })
  sources: string[];

  @ApiProperty({ type: [DriftVersionDto] })
  versions: DriftVersionDto[];
}

export class DriftReferenceResponseDto {
  @ApiProperty({ example: 'demo-sentiment@3f2a9c0b1d4e' })
  model_version: string;

  @ApiProperty({ type: DriftReferenceDto })
  reference: DriftReferenceDto;
}
