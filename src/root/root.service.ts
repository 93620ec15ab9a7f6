import { Injectable } from '@nestjs/common';
import { DOCS_JSON_PATH, DOCS_PATH } from '../docs/swagger';
import { EngineService } from '../engine/engine.service';
import { EndpointDto, RootResponseDto } from './dto/root-response.dto';

/** The API at a glance; kept next to the welcome message so it is one edit when a feature adds routes. */
export const ENDPOINTS: readonly EndpointDto[] = [
  { method: 'GET', path: '/', description: 'This overview' },
  { method: 'POST', path: '/sentiment', description: 'Classify one text: {"text": "..."}' },
  { method: 'POST', path: '/batch-sentiment', description: 'Classify several texts: {"texts": ["...", "..."]}' },
  { method: 'POST', path: '/async-sentiment', description: 'Classify many texts in the background: {"texts": [...]} -> 202 {"job_id"}' },
  { method: 'GET', path: '/job/{id}', description: "A job's status and progress; once completed, its results (paged: ?offset=&limit=)" },
  { method: 'POST', path: '/feedback', description: 'Correct label for a prediction: {"prediction_id": "...", "correct_label": "..."}' },
  {
    method: 'GET',
    path: '/monitoring/performance',
    description: 'Accuracy, precision, recall and F1 from feedback per model version and window, with degradation (?model_version=, ?history=)',
  },
  {
    method: 'GET',
    path: '/monitoring/drift',
    description: 'Data drift per model version: reference, current window, past windows with every test and p-value (?model_version=, ?history=)',
  },
  {
    method: 'PUT',
    path: '/monitoring/drift/reference',
    description: 'Admin: replace a version\'s drift reference with these texts\' features: {"texts": [...], "model_version"?}',
  },
  { method: 'POST', path: '/update-model', description: 'Admin: register a model directory and make it production: {"model_path", "version_name"}' },
  { method: 'GET', path: '/models', description: 'Admin: registered versions, roles, figures; /models/{version}, /models/history; changes: see docs/models.md' },
  { method: 'GET', path: '/health', description: 'Health report (model loaded, its version, queue)' },
  { method: 'GET', path: '/health/live', description: 'Liveness: the process answers (also while draining)' },
  {
    method: 'GET',
    path: '/health/ready',
    description: 'Readiness: model loaded, engine queue not saturated, database writable, not shutting down (503 otherwise)',
  },
  { method: 'GET', path: '/metrics', description: 'Prometheus metrics (on METRICS_PORT instead, when it is set)' },
  { method: 'GET', path: DOCS_PATH, description: 'Swagger UI' },
  { method: 'GET', path: DOCS_JSON_PATH, description: 'OpenAPI document' },
];

@Injectable()
export class RootService {
  constructor(private readonly engine: EngineService) {}

  describe(): RootResponseDto {
    const info = this.engine.info();
    return {
      message: 'Welcome to the ONNX text classification server',
      model: {
        name: info.modelName,
        version: this.engine.modelVersion,
        labels: [...info.labels],
        max_length: info.maxLength,
        execution_provider: info.executionProvider,
      },
      endpoints: ENDPOINTS.map((endpoint) => ({ ...endpoint })),
      docs: DOCS_PATH,
    };
  }
}
