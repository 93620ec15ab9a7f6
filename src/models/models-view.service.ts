import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DriftService } from '../drift/drift.service';
import { MonitoringService } from '../monitoring/monitoring.service';
import { ActivateRequestDto } from './dto/activate-request.dto';
import { HistoryQueryDto } from './dto/history-query.dto';
import { HistoryDto, ModelListDto, ModelVersionDto, ProductionChangeDto, ShadowReportDto, ShadowWindowDto } from './dto/model-version.dto';
import { RegisterModelRequestDto, UpdateModelRequestDto } from './dto/register-model-request.dto';
import { CanaryRequestDto, ShadowRequestDto } from './dto/traffic-request.dto';
import { ModelsService, ProductionChange, VersionView } from './models.service';
import type { ShadowReport, ShadowWindow } from './shadow.service';

const DEFAULT_HISTORY_LIMIT = 100;

/** The HTTP face of ModelsService: request DTOs in, response DTOs out (snake_case, ISO times). */
@Injectable()
export class ModelsViewService {
  constructor(
    private readonly models: ModelsService,
    private readonly monitoring: MonitoringService,
    // Drift depends on this module (it attaches the versions the registry loads), so its service is looked up
    // when a view is built rather than injected, which would make the two modules import each other.
    private readonly moduleRef: ModuleRef,
  ) {}

  private driftOf(version: string): ModelVersionDto['drift'] {
    let drift: DriftService;
    try {
      drift = this.moduleRef.get(DriftService, { strict: false });
    } catch {
      return null;
    }
    const summary = drift.summary(version);
    if (!summary) return null;
    return {
      status: summary.status,
      last_window_closed_at: summary.lastWindowClosedAt === null ? null : new Date(summary.lastWindowClosedAt).toISOString(),
      drifted_features: summary.driftedFeatures,
    };
  }

  async updateModel(r: UpdateModelRequestDto): Promise<ProductionChangeDto> {
    return toChangeDto(
      await this.models.updateModel({ modelPath: r.model_path, versionName: r.version_name, notes: r.notes, allowLabelChange: r.allow_label_change }),
    );
  }

  async list(): Promise<ModelListDto> {
    return { models: (await this.models.list()).map((v) => this.toVersionDto(v)) };
  }

  async get(version: string): Promise<ModelVersionDto> {
    return this.toVersionDto(await this.models.get(version));
  }

  async history(query: HistoryQueryDto): Promise<HistoryDto> {
    const limit = query.limit ?? DEFAULT_HISTORY_LIMIT;
    const entries = await this.models.history(limit, query.before);
    return {
      entries: entries.map((e) => ({
        id: e.id,
        at: new Date(e.at).toISOString(),
        action: e.action,
        ...(e.version !== undefined ? { version: e.version } : {}),
        ...(e.previousVersion !== undefined ? { previous_version: e.previousVersion } : {}),
        outcome: e.outcome,
        detail: e.detail,
      })),
      next_before: entries.length === limit ? entries[entries.length - 1].id : null,
    };
  }

  async register(r: RegisterModelRequestDto): Promise<ModelVersionDto> {
    const { manifest } = await this.models.register({ modelPath: r.model_path, versionName: r.version_name, notes: r.notes });
    return this.get(manifest.version);
  }

  async activate(version: string, r: ActivateRequestDto): Promise<ProductionChangeDto> {
    return toChangeDto(await this.models.activate(version, { allowLabelChange: r?.allow_label_change }));
  }

  async rollback(r: ActivateRequestDto): Promise<ProductionChangeDto> {
    return toChangeDto(await this.models.rollback({ allowLabelChange: r?.allow_label_change }));
  }

  async setCanary(r: CanaryRequestDto): Promise<ModelVersionDto> {
    return this.toVersionDto(await this.models.setCanary(r.version, r.percent));
  }

  async promoteCanary(r: ActivateRequestDto): Promise<ProductionChangeDto> {
    return toChangeDto(await this.models.promoteCanary({ allowLabelChange: r?.allow_label_change }));
  }

  clearCanary(): Promise<void> {
    return this.models.clearCanary();
  }

  async setShadow(r: ShadowRequestDto): Promise<ModelVersionDto> {
    return this.toVersionDto(await this.models.setShadow(r.version, r.sample_rate));
  }

  clearShadow(): Promise<void> {
    return this.models.clearShadow();
  }

  remove(version: string): Promise<void> {
    return this.models.remove(version);
  }

  private toVersionDto(view: VersionView): ModelVersionDto {
    const m = view.manifest;
    const figures = this.monitoring.currentFigures().find((f) => f.modelVersion === m.version);
    const shadow = view.loaded?.role === 'shadow' ? this.models.shadowReport() : undefined;
    return {
      version: m.version,
      model_name: m.model_name,
      state: view.loaded?.role ?? 'registered',
      roles: view.roles.map((r) => ({ role: r.role, ...(r.traffic !== undefined ? { traffic: r.traffic } : {}), since: new Date(r.updatedAt).toISOString() })),
      loaded_at: view.loaded ? new Date(view.loaded.loadedAt).toISOString() : null,
      labels: m.labels,
      max_length: m.max_length,
      outputs: m.outputs,
      files: m.files,
      content_sha256: m.content_sha256,
      source: m.source,
      registered_at: m.registered_at,
      ...(m.notes !== undefined ? { notes: m.notes } : {}),
      predictions_since_start: view.predictionsSinceStart,
      performance: figures
        ? {
            samples: figures.samples,
            accuracy: figures.accuracy,
            weighted_f1: figures.weightedF1,
            degraded: figures.degraded,
            window_start: new Date(figures.windowStart).toISOString(),
          }
        : null,
      ...(shadow ? { shadow: toShadowDto(shadow) } : {}),
      drift: this.driftOf(m.version),
    };
  }
}

function toChangeDto(change: ProductionChange): ProductionChangeDto {
  return {
    version: change.version,
    previous_version: change.previousVersion ?? null,
    warm: change.warm,
    validation_accuracy: change.validation.accuracy ?? null,
  };
}

function toShadowDto(report: ShadowReport): ShadowReportDto {
  return {
    sample_rate: report.sampleRate,
    queued: report.queued,
    dropped: report.dropped,
    current: toWindowDto(report.current),
    ...(report.previous ? { previous: toWindowDto(report.previous) } : {}),
  };
}

function toWindowDto(w: ShadowWindow): ShadowWindowDto {
  return {
    start: new Date(w.start).toISOString(),
    end: new Date(w.end).toISOString(),
    compared: w.compared,
    agreement: w.compared > 0 ? w.agreed / w.compared : null,
    confusion: w.confusion,
  };
}
