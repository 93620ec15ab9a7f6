import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ManifestFileDto {
  @ApiProperty() name: string;
  @ApiProperty({ description: 'SHA-256 of the file as copied into the registry (hex).' }) sha256: string;
  @ApiProperty() bytes: number;
}

export class RoleDto {
  @ApiProperty({ enum: ['production', 'canary', 'shadow', 'previous'], description: 'previous: production before the last change (the rollback target).' })
  role: string;
  @ApiPropertyOptional({ description: 'Canary: percent of interactive requests; shadow: sample rate.' })
  traffic?: number;
  @ApiProperty({ description: 'When the role was given (ISO 8601).' })
  since: string;
}

export class VersionPerformanceDto {
  @ApiProperty({ description: 'Labelled predictions (feedback) in the monitored window.' }) samples: number;
  @ApiProperty() accuracy: number;
  @ApiProperty() weighted_f1: number;
  @ApiProperty() degraded: boolean;
  @ApiProperty() window_start: string;
}

export class ShadowWindowDto {
  @ApiProperty() start: string;
  @ApiProperty() end: string;
  @ApiProperty({ description: 'Texts classified by both.' }) compared: number;
  @ApiProperty({ description: 'Share of compared texts with the same label (null before any).', nullable: true, type: Number })
  agreement: number | null;
  @ApiProperty({ description: 'production label -> shadow label -> texts.', example: { POSITIVE: { POSITIVE: 40, NEGATIVE: 2 } } })
  confusion: Record<string, Record<string, number>>;
}

export class ShadowReportDto {
  @ApiProperty() sample_rate: number;
  @ApiProperty({ description: 'Texts waiting for the shadow engine.' }) queued: number;
  @ApiProperty({ description: 'Sampled texts dropped because the queue was full (SHADOW_QUEUE_CAPACITY).' }) dropped: number;
  @ApiProperty({ type: ShadowWindowDto }) current: ShadowWindowDto;
  @ApiPropertyOptional({ type: ShadowWindowDto }) previous?: ShadowWindowDto;
}

/** One registered version: its manifest, roles and figures. */
export class VersionDriftDto {
  @ApiProperty({
    enum: ['ok', 'drift', 'no_reference', 'insufficient_samples', 'no_window_yet'],
    description: 'Status of its last tested drift window (docs/drift.md); no_window_yet until one closes.',
  })
  status: string;
  @ApiProperty({ nullable: true, type: String, description: 'When that window closed.' }) last_window_closed_at: string | null;
  @ApiProperty({ type: [String], description: 'Features whose tests rejected in that window (after Holm).' }) drifted_features: string[];
}

export class ModelVersionDto {
  @ApiProperty({ example: 'demo-sentiment@3f2a9c0b1d4e' }) version: string;
  @ApiProperty() model_name: string;
  @ApiProperty({ enum: ['production', 'canary', 'shadow', 'registered'], description: 'What it does now (registered: on disk, not loaded).' })
  state: string;
  @ApiProperty({ type: [RoleDto] }) roles: RoleDto[];
  @ApiProperty({ nullable: true, type: String, description: 'When its engine was loaded (null: not loaded).' }) loaded_at: string | null;
  @ApiProperty({ type: [String] }) labels: string[];
  @ApiProperty() max_length: number;
  @ApiProperty({ type: [String] }) outputs: string[];
  @ApiProperty({ type: [ManifestFileDto] }) files: ManifestFileDto[];
  @ApiProperty({ description: 'SHA-256 over the file names and hashes: equal content, equal digest.' }) content_sha256: string;
  @ApiProperty({ description: 'Where it was imported from (a server path, or MODEL_DIR). Admin-only, like every /models route.' }) source: string;
  @ApiProperty() registered_at: string;
  @ApiPropertyOptional() notes?: string;
  @ApiProperty({ description: 'Predictions it made since this process started.' }) predictions_since_start: number;
  @ApiProperty({ type: VersionPerformanceDto, nullable: true, description: 'Accuracy and F1 from feedback (monitoring), null without feedback.' })
  performance: VersionPerformanceDto | null;
  @ApiPropertyOptional({ type: ShadowReportDto, description: 'Only for the shadow version: agreement with production per window.' })
  shadow?: ShadowReportDto;
  @ApiProperty({ type: VersionDriftDto, nullable: true, description: 'Data drift of a loaded version (null: not loaded, or DRIFT_ENABLED=false).' })
  drift: VersionDriftDto | null;
}

export class ModelListDto {
  @ApiProperty({ type: [ModelVersionDto] }) models: ModelVersionDto[];
}

export class ProductionChangeDto {
  @ApiProperty({ description: 'The version now in production.' }) version: string;
  @ApiProperty({ nullable: true, type: String, description: 'The version production had before.' }) previous_version: string | null;
  @ApiProperty({ description: 'Whether its engine was already loaded (canary or shadow) instead of loaded from disk.' }) warm: boolean;
  @ApiProperty({ nullable: true, type: Number, description: 'Accuracy on its validation.jsonl (null without one).' }) validation_accuracy: number | null;
}

export class HistoryEntryDto {
  @ApiProperty() id: number;
  @ApiProperty() at: string;
  @ApiProperty({ example: 'activate', description: 'startup, register, update-model, activate, rollback, canary.set, canary.promote, canary.clear, shadow.set, shadow.clear, delete, ...' })
  action: string;
  @ApiPropertyOptional() version?: string;
  @ApiPropertyOptional() previous_version?: string;
  @ApiProperty({ enum: ['ok', 'refused', 'failed'] }) outcome: string;
  @ApiProperty({ description: 'What happened, or why it was refused.' }) detail: string;
}

export class HistoryDto {
  @ApiProperty({ type: [HistoryEntryDto] }) entries: HistoryEntryDto[];
  @ApiProperty({ nullable: true, type: Number, description: 'Pass as ?before= for older entries (null: no more).' }) next_before: number | null;
}
