import { TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { FAKE_INFO } from '../../test/support/fake-engine';
import { EngineService } from '../engine/engine.service';
import { EngineState } from '../engine/engine.types';
import { HealthService } from './health.service';
import { ModelHealthIndicator } from './model.health';

describe('HealthService', () => {
  let health: HealthService;
  const engine = { state: 'ready' as EngineState, isReady: () => engine.state === 'ready', info: () => FAKE_INFO };

  beforeEach(async () => {
    engine.state = 'ready';
    const moduleRef = await Test.createTestingModule({
      imports: [TerminusModule.forRoot({ logger: false })],
      providers: [HealthService, ModelHealthIndicator, { provide: EngineService, useValue: engine }],
    }).compile();
    health = moduleRef.get(HealthService);
  });

  it('reports the model up when loaded', async () => {
    const expected = {
      status: 'ok',
      info: { model: { status: 'up', state: 'ready', name: 'fake-sentiment', labels: ['NEGATIVE', 'POSITIVE'] } },
      error: {},
    };
    await expect(health.ready()).resolves.toMatchObject(expected);
    await expect(health.report()).resolves.toMatchObject(expected);
  });

  it('is live without looking at the model', async () => {
    engine.state = 'loading';
    await expect(health.live()).resolves.toMatchObject({ status: 'ok', info: {} });
  });

  it.each(['loading', 'failed', 'closing', 'closed'] as EngineState[])('is not ready while the model is %s', async (state) => {
    engine.state = state;
    await expect(health.ready()).rejects.toMatchObject({
      code: 'NOT_READY',
      message: `The service is not ready (model: the model is not loaded (state: ${state}))`,
      details: [{ indicator: 'model', status: 'down', state, message: `the model is not loaded (state: ${state})` }],
    });
    await expect(health.report()).rejects.toMatchObject({ code: 'NOT_READY' });
  });
});
