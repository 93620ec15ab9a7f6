/**
 * GET /monitoring/drift's body: attached versions from memory, versions no longer loaded from the store, the
 * history limit, and NOT_FOUND for a version with no drift data.
 */
import { validateEnv } from '../config/env.schema';
import type { StoredReference, WindowResult } from './drift.types';
import { DriftReportService } from './drift-report.service';
import type { DriftService, VersionState } from './drift.service';
import { WindowBuffer } from './window-buffer';

const window = (modelVersion: string, sequence: number, status: WindowResult['status']): WindowResult => ({
  modelVersion,
  sequence,
  startedAt: Date.UTC(2026, 10, 30, 10, sequence),
  closedAt: Date.UTC(2026, 10, 30, 10, sequence + 1),
  closedBy: 'size',
  size: 100,
  status,
  alpha: 0.05,
  correction: 'holm',
  tests:
    status === 'drift'
      ? [{ feature: 'token_count', test: 'ks', statistic: 0.4, p_value: 1e-6, adjusted_p_value: 4e-5, drifted: true }]
      : [],
  evaluationMs: 20,
});

const reference: StoredReference = {
  modelVersion: 'old@1',
  source: 'admin',
  createdAt: Date.UTC(2026, 10, 29),
  size: 250,
  features: {} as StoredReference['features'],
  projection: { method: 'pca', inputDim: 128, outputDim: 32, mean: [], components: [] },
  projectionFitSize: 250,
  bandwidth: 3,
};

function service(): DriftReportService {
  const buffer = new WindowBuffer(100, 0);
  buffer.push({ confidence: 0.9, entropy: 0.3, tokenCount: 7, unknownShare: 0, nonLetterShare: 0.1, truncated: false, label: 1 }, Date.UTC(2026, 10, 30, 11));
  const attached = {
    version: 'new@2',
    buffer,
    history: [window('new@2', 3, 'drift'), window('new@2', 2, 'ok'), window('new@2', 1, 'no_reference')],
    drifting: true,
    referenceState: 'none',
    embeddingDim: 0,
    embeddingUnavailable: 'the model outputs only logits',
  } as unknown as VersionState;
  const drift = {
    attached: () => [attached],
    minimumSamples: 100,
    storedVersions: async () => ['new@2', 'old@1'],
    storedWindows: async (version: string, limit: number) => [window(version, 9, 'ok'), window(version, 8, 'drift')].slice(0, limit),
    storedReference: async (version: string) => (version === 'old@1' ? reference : undefined),
  } as unknown as DriftService;
  return new DriftReportService(drift, validateEnv({ DRIFT_WINDOW_SIZE: '100', DRIFT_HISTORY_WINDOWS: '50' }));
}

describe('DriftReportService', () => {
  it('reports attached versions from memory and versions no longer loaded from the store', async () => {
    const body = await service().report({});
    expect(body).toMatchObject({ enabled: true, window_size: 100, min_samples: 100, alpha: 0.05, correction: 'holm', sources: ['sentiment', 'batch', 'job'] });
    expect(body.versions.map((v) => [v.model_version, v.attached, v.drifting])).toEqual([
      ['new@2', true, true],
      ['old@1', false, false],
    ]);
    const [attached, stored] = body.versions;
    expect(attached.reference).toEqual({ status: 'none' });
    expect(attached.embedding).toEqual({ unavailable: 'the model outputs only logits' });
    expect(attached.current_window).toEqual({ size: 1, capacity: 100, started_at: '2026-11-30T11:00:00.000Z' });
    expect(attached.windows.map((w) => [w.sequence, w.status])).toEqual([
      [3, 'drift'],
      [2, 'ok'],
      [1, 'no_reference'],
    ]);
    expect(attached.windows[0]).toEqual({
      sequence: 3,
      status: 'drift',
      started_at: '2026-11-30T10:03:00.000Z',
      closed_at: '2026-11-30T10:04:00.000Z',
      closed_by: 'size',
      size: 100,
      alpha: 0.05,
      correction: 'holm',
      evaluation_ms: 20,
      tests: [{ feature: 'token_count', test: 'ks', statistic: 0.4, p_value: 1e-6, adjusted_p_value: 4e-5, drifted: true }],
    });
    expect(stored.reference).toEqual({ status: 'ready', size: 250, source: 'admin', created_at: '2026-11-29T00:00:00.000Z', projection_fit_size: 250 });
    expect(stored.current_window).toBeNull();
    expect(stored.embedding).toEqual({ dim: 128, projected_dim: 32 });
  });

  it('filters by model_version and limits the history', async () => {
    const body = await service().report({ model_version: 'old@1', history: 1 });
    expect(body.versions).toHaveLength(1);
    expect(body.versions[0].windows.map((w) => w.sequence)).toEqual([9]);
    const attached = await service().report({ model_version: 'new@2', history: 0 });
    expect(attached.versions[0].windows).toEqual([]);
  });

  it('NOT_FOUND for a version with no drift data', async () => {
    await expect(service().report({ model_version: 'nope@0' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'No drift data for model version "nope@0"',
    });
  });
});
