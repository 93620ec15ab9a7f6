import { Test } from '@nestjs/testing';
import { FAKE_INFO } from '../../test/support/fake-engine';
import { EngineService } from '../engine/engine.service';
import { RootService } from './root.service';

describe('RootService', () => {
  it('describes the service, the model and the endpoints', async () => {
    const moduleRef = await Test.createTestingModule({
      providers: [RootService, { provide: EngineService, useValue: { info: () => FAKE_INFO, modelVersion: 'fake@0123456789ab' } }],
    }).compile();
    const description = moduleRef.get(RootService).describe();
    expect(description).toMatchObject({
      message: expect.stringContaining('Welcome'),
      model: { name: 'fake-sentiment', version: 'fake@0123456789ab', labels: ['NEGATIVE', 'POSITIVE'], max_length: 512, execution_provider: 'cpu' },
      docs: '/docs',
    });
    // No server path reaches unauthenticated callers (docs/models.md, security model).
    expect(description.model).not.toHaveProperty('path');
    const routes = description.endpoints.map((e) => `${e.method} ${e.path}`);
    expect(routes).toEqual(
      expect.arrayContaining(['GET /', 'POST /sentiment', 'POST /batch-sentiment', 'POST /async-sentiment', 'GET /job/{id}', 'POST /feedback', 'GET /monitoring/performance', 'GET /health', 'GET /metrics', 'GET /docs']),
    );
  });
});
