import { createFakeEngine, FAKE_INFO } from '../../test/support/fake-engine';
import { validateEnv } from '../config/env.schema';
import type { ServingEngine } from '../engine/engine.types';
import { ShadowService } from './shadow.service';

describe('ShadowService', () => {
  const config = validateEnv({ SHADOW_QUEUE_CAPACITY: '4' });
  const serving = (engine = createFakeEngine()): ServingEngine => ({ version: 'shadow-v', engine, info: FAKE_INFO, modelDir: '/r/shadow-v' });
  const labels = (...l: string[]) => l.map((label) => ({ label }));

  it('does nothing without a shadow', () => {
    const shadow = new ShadowService(config);
    expect(() => shadow.offer(['good'], labels('POSITIVE'))).not.toThrow();
    expect(shadow.report()).toBeUndefined();
  });

  it('compares after the fact: agreement and confusion between production and shadow labels', async () => {
    const shadow = new ShadowService(config);
    shadow.attach(serving(), 1);
    // The fake engine says POSITIVE only for texts containing "good".
    shadow.offer(['good', 'bad'], labels('POSITIVE', 'POSITIVE'));
    shadow.offer(['good'], labels('NEGATIVE'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await shadow.idle();
    const report = shadow.report()!;
    expect(report.current).toMatchObject({
      compared: 3,
      agreed: 1,
      confusion: { POSITIVE: { POSITIVE: 1, NEGATIVE: 1 }, NEGATIVE: { POSITIVE: 1 } },
    });
  });

  it('drops (and counts) sampled texts beyond SHADOW_QUEUE_CAPACITY instead of queueing them', async () => {
    const engine = createFakeEngine();
    let release!: () => void;
    engine.classify.mockImplementationOnce(async (texts) => {
      await new Promise<void>((resolve) => (release = resolve));
      return texts.map(() => ({ label: 'NEGATIVE', score: 0.8, scores: { NEGATIVE: 0.8, POSITIVE: 0.2 } }));
    });
    const shadow = new ShadowService(config);
    const dropped: number[] = [];
    shadow.onDropped = (n) => dropped.push(n);
    shadow.attach(serving(engine), 1);
    shadow.offer(['a'], labels('NEGATIVE'));
    await new Promise((resolve) => setImmediate(resolve));
    // The first text is in the engine; the queue takes 4 more texts, then drops.
    shadow.offer(['b', 'c', 'd'], labels('NEGATIVE', 'NEGATIVE', 'NEGATIVE'));
    shadow.offer(['e'], labels('NEGATIVE'));
    shadow.offer(['f', 'g'], labels('NEGATIVE', 'NEGATIVE'));
    expect(shadow.report()).toMatchObject({ queued: 4, dropped: 2 });
    expect(dropped).toEqual([2]);
    release();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await shadow.idle();
    expect(shadow.report()!.current.compared).toBe(5);
  });

  it('samples at the configured rate', () => {
    const shadow = new ShadowService(config);
    shadow.attach(serving(), 0);
    shadow.offer(['good'], labels('POSITIVE'));
    expect(shadow.report()).toMatchObject({ queued: 0, dropped: 0 });
  });
});

describe('ShadowService at shutdown', () => {
  it('closes the shadow engine it holds', async () => {
    const engine = createFakeEngine();
    const shadow = new ShadowService(validateEnv({}));
    shadow.attach({ version: 'v', engine, info: FAKE_INFO, modelDir: '/r/v' }, 0.5);
    await shadow.onApplicationShutdown();
    expect(engine.close).toHaveBeenCalledTimes(1);
    expect(shadow.report()).toBeUndefined();
  });
});
