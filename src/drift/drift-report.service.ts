import { Injectable } from '@nestjs/common';
import { AppError } from '../common/errors/app-error';
import { AppConfig } from '../config/app-config';
import type { StoredReference, WindowResult } from './drift.types';
import { DriftService, VersionState } from './drift.service';
import type {
  DriftReferenceDto,
  DriftResponseDto,
  DriftVersionDto,
  DriftWindowDto,
} from './dto/drift-response.dto';

/** Shapes GET /monitoring/drift from the attached versions (memory) and the stored history of the others. */
@Injectable()
export class DriftReportService {
  constructor(
    private readonly drift: DriftService,
    private readonly config: AppConfig,
  ) {}

  async report(query: { model_version?: string; history?: number }): Promise<DriftResponseDto> {
    const limit = Math.min(query.history ?? this.config.driftHistoryWindows, this.config.driftHistoryWindows);
    const attached = this.drift.attached();
    const versions: DriftVersionDto[] = [];
    for (const state of attached) {
      if (query.model_version !== undefined && query.model_version !== state.version) continue;
      // Shared store (several replicas): the windows every replica closed, the same on each; else this process's.
      const windows = this.drift.sharedStore ? await this.drift.storedWindows(state.version, limit) : state.history.slice(0, limit);
      versions.push(this.attachedVersion(state, windows));
    }
    const attachedNames = new Set(attached.map((s) => s.version));
    const stored = (await this.drift.storedVersions()).filter(
      (v) => !attachedNames.has(v) && (query.model_version === undefined || query.model_version === v),
    );
    for (const version of stored) {
      const [windows, reference] = await Promise.all([this.drift.storedWindows(version, limit), this.drift.storedReference(version)]);
      versions.push({
        model_version: version,
        attached: false,
        drifting: windows.find((w) => w.status === 'ok' || w.status === 'drift')?.status === 'drift',
        reference: reference ? referenceDto(reference) : { status: 'none' },
        embedding: reference?.projection ? { dim: reference.projection.inputDim, projected_dim: reference.projection.outputDim } : {},
        current_window: null,
        windows: windows.map(windowDto),
      });
    }
    if (query.model_version !== undefined && versions.length === 0) {
      throw new AppError('NOT_FOUND', `No drift data for model version ${JSON.stringify(query.model_version)}`);
    }
    return {
      enabled: this.config.driftEnabled,
      window_size: this.config.driftWindowSize,
      min_samples: this.drift.minimumSamples,
      window_max_minutes: this.config.driftWindowMaxMinutes,
      alpha: this.config.driftAlpha,
      correction: 'holm',
      sources: [...this.config.driftSources],
      versions,
    };
  }

  private attachedVersion(state: Readonly<VersionState>, windows: readonly WindowResult[]): DriftVersionDto {
    const reference: DriftReferenceDto = state.reference
      ? referenceDto(state.reference.stored)
      : { status: state.referenceState, ...(state.referenceProblem ? { problem: state.referenceProblem } : {}) };
    if (state.referenceState === 'building') reference.status = 'building';
    const projection = state.reference?.stored.projection;
    return {
      model_version: state.version,
      attached: true,
      drifting: this.drift.sharedStore ? windows.find((w) => w.status === 'ok' || w.status === 'drift')?.status === 'drift' : state.drifting,
      reference,
      embedding: state.embeddingOutput
        ? { output: state.embeddingOutput, dim: state.embeddingDim, ...(projection ? { projected_dim: projection.outputDim } : {}) }
        : { unavailable: state.embeddingUnavailable },
      current_window: {
        size: state.buffer.size,
        capacity: state.buffer.capacity,
        started_at: state.buffer.startedAt === undefined ? null : new Date(state.buffer.startedAt).toISOString(),
      },
      windows: windows.map(windowDto),
    };
  }
}

export function referenceDto(reference: StoredReference): DriftReferenceDto {
  return {
    status: 'ready',
    size: reference.size,
    source: reference.source,
    ...(reference.file ? { file: reference.file } : {}),
    created_at: new Date(reference.createdAt).toISOString(),
    projection_fit_size: reference.projectionFitSize,
  };
}

function windowDto(window: WindowResult): DriftWindowDto {
  return {
    sequence: window.sequence,
    status: window.status,
    started_at: new Date(window.startedAt).toISOString(),
    closed_at: new Date(window.closedAt).toISOString(),
    closed_by: window.closedBy,
    size: window.size,
    alpha: window.alpha,
    correction: window.correction,
    evaluation_ms: window.evaluationMs,
    ...(window.embeddingUnavailable ? { embedding_unavailable: window.embeddingUnavailable } : {}),
    tests: window.tests.map((t) => ({
      feature: t.feature,
      test: t.test,
      statistic: t.statistic,
      p_value: t.p_value,
      adjusted_p_value: t.adjusted_p_value,
      drifted: t.drifted,
    })),
  };
}
