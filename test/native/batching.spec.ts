/**
 * The dynamic batcher, end to end on the real addon and the demo model: concurrent calls are batched together
 * yet each caller gets exactly its own results; overload, deadlines, cancellation and close behave as specified;
 * a failing batch fails only the calls whose rows it held; the result cache answers repeated texts.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Engine } from '../../lib';
import type { Classification } from '../../lib';
import { demoModelDir } from './demo-fixture';
import { errorKind } from './realdata';
import { seededRandom } from './tricky-strings';

const WORDS = ['the', 'film', 'was', 'not', 'bad', 'great', 'awful', 'service', 'food', 'really', 'never', 'boring',
  'loved', 'hated', 'plot', 'acting', 'cold', 'fresh', 'price', 'worth', 'it', 'at', 'all', '!', ',', 'but'];

/** Random texts of very different lengths (1 to ~120 words), so batches mix lengths. */
function randomTexts(count: number, seed: number): string[] {
  const random = seededRandom(seed); // reproducible property test
  return Array.from({ length: count }, () => {
    const length = 1 + Math.floor(random() ** 2 * 120);
    return Array.from({ length }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
  });
}

async function rejectionOf(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected the call to reject, but it resolved');
}

function expectSameClassification(actual: Classification, expected: Classification, where: string): void {
  if (actual.label !== expected.label) throw new Error(`${where}: label ${actual.label} but alone ${expected.label}`);
  for (const [label, score] of Object.entries(expected.scores)) {
    const diff = Math.abs(actual.scores[label] - score);
    // Padding is masked, so a row's result does not depend on its batch beyond float rounding.
    if (!(diff <= 1e-5)) throw new Error(`${where}: score of ${label} differs by ${diff} from the text alone`);
  }
}

describe('dynamic batching', () => {
  let modelDir: string;
  beforeAll(() => {
    modelDir = demoModelDir();
  });

  test('256 concurrent single-text calls form batches, and each result equals the text classified alone', async () => {
    const texts = randomTexts(256, 7);
    const engine = await Engine.load(modelDir, { cacheSize: 0, maxWaitMs: 5, maxBatchSize: 32 });
    try {
      const concurrent = await Promise.all(texts.map((text) => engine.classify([text])));
      const stats = engine.stats();
      expect(stats.rows).toBe(256 + 0);
      expect(stats.batches).toBeLessThan(256);
      expect(stats.batchSize.sum / stats.batchSize.count).toBeGreaterThan(1);
      expect(stats.queueDepth).toBe(0);

      // Alone: one call at a time, so every batch holds exactly that text.
      for (let i = 0; i < texts.length; i++) {
        const [alone] = await engine.classify([texts[i]]);
        expect(concurrent[i]).toHaveLength(1);
        expectSameClassification(concurrent[i][0], alone, `text #${i} (${texts[i].split(' ').length} words)`);
      }
    } finally {
      await engine.close();
    }
  });

  test('the calls one batch finished are settled in one turn of the event loop', async () => {
    // One runner, a long wait and no padding cap (which would split texts of different lengths): the 32 calls made
    // in this turn form exactly one batch.
    const engine = await Engine.load(modelDir, { cacheSize: 0, maxWaitMs: 2000, maxBatchSize: 32, runners: 1, maxPaddingRatio: 1 });
    try {
      // A counter that advances once per loop iteration (the check phase), so two settlements that see the same
      // value happened in the same iteration.
      let turn = 0;
      let ticking = true;
      const tick = (): void => {
        turn += 1;
        if (ticking) setImmediate(tick);
      };
      setImmediate(tick);
      const turns = await Promise.all(
        randomTexts(32, 11).map((text) => engine.classify([text]).then(() => turn)),
      );
      ticking = false;
      const stats = engine.stats();
      expect(stats.batches).toBe(1);
      // One hand-over for the whole batch (a hand-over per call would count 32), hence one turn to settle them.
      expect(stats.deliveries).toBe(1);
      expect(new Set(turns).size).toBe(1);
    } finally {
      await engine.close();
    }
  });

  test('multi-text calls interleaved with others get their own rows back, in order', async () => {
    const texts = randomTexts(90, 11);
    const engine = await Engine.load(modelDir, { cacheSize: 0, maxWaitMs: 5, maxBatchSize: 16 });
    try {
      const groups = [texts.slice(0, 30), texts.slice(30, 31), texts.slice(31, 70), texts.slice(70)];
      const results = await Promise.all(groups.map((group) => engine.classify(group)));
      const alone = await engine.classify(texts); // one call: the reference, in order
      let k = 0;
      results.forEach((result, g) => {
        expect(result).toHaveLength(groups[g].length);
        result.forEach((row, i) => expectSameClassification(row, alone[k++], `group ${g} row ${i}`));
      });
    } finally {
      await engine.close();
    }
  });

  test('batches respect maxBatchSize and are padded to their longest member only', async () => {
    const engine = await Engine.load(modelDir, { cacheSize: 0, maxWaitMs: 20, maxBatchSize: 4 });
    try {
      await Promise.all(randomTexts(40, 3).map((text) => engine.classify([text])));
      const { batchSize, paddingRatio } = engine.stats();
      const beyond = batchSize.bounds.reduce((n, bound, i) => (bound > 4 ? n + batchSize.counts[i] : n), 0);
      expect(beyond + batchSize.counts[batchSize.counts.length - 1]).toBe(0);
      // Rows are grouped by length, so the mean padding stays well below what random grouping would give.
      expect(paddingRatio.count).toBe(batchSize.count);
      expect(paddingRatio.sum / paddingRatio.count).toBeLessThan(0.5);
    } finally {
      await engine.close();
    }
  });

  test('a full queue rejects at once with OVERLOADED, and the engine keeps serving', async () => {
    const engine = await Engine.load(modelDir, { cacheSize: 0, queueCapacity: 20, maxBatchSize: 4 });
    try {
      // A call larger than the queue is accepted when the queue is empty. Ten times its size keeps the queue full
      // for the next call even after the batcher has already cut a few batches from it (it may on a quiet machine).
      const busy = engine.classify(randomTexts(200, 5));
      const error = await rejectionOf(engine.classify(['one text too many']));
      expect(errorKind(error)).toBe('Error');
      expect(error.code).toBe('OVERLOADED');
      expect(error.message).toMatch(/overloaded.*queue holds 20/);
      expect(await busy).toHaveLength(200);
      expect(await engine.classify(['accepted again once the queue drained'])).toHaveLength(1);
      expect(engine.stats().rejections.OVERLOADED).toBe(1);
    } finally {
      await engine.close();
    }
  });

  test('an expired deadline rejects with TIMEOUT before any compute', async () => {
    const engine = await Engine.load(modelDir, { cacheSize: 0, maxBatchSize: 2 });
    try {
      // Read before the busy call: the batcher may finish its first batch before classify() returns.
      const rowsBefore = engine.stats().rows;
      const busy = engine.classify(randomTexts(400, 9));
      const error = await rejectionOf(engine.classify(['too late'], { timeoutMs: 1 }));
      expect(error.code).toBe('TIMEOUT');
      expect(error.message).toMatch(/deadline/);
      await busy;
      expect(engine.stats().rows - rowsBefore).toBe(400); // the timed-out text was never computed
      expect(engine.stats().rejections.TIMEOUT).toBe(1);
      // A generous deadline is no obstacle.
      expect(await engine.classify(['in time'], { timeoutMs: 60_000 })).toHaveLength(1);
    } finally {
      await engine.close();
    }
  });

  test('an AbortSignal cancels a queued call (CANCELLED); an already-aborted one rejects at once', async () => {
    const engine = await Engine.load(modelDir, { cacheSize: 0, maxBatchSize: 2 });
    try {
      const busy = engine.classify(randomTexts(400, 13));
      const controller = new AbortController();
      const queued = engine.classify(['cancel me'], { signal: controller.signal });
      controller.abort();
      const error = await rejectionOf(queued);
      expect(error.code).toBe('CANCELLED');
      const aborted = AbortSignal.abort();
      expect((await rejectionOf(engine.classify(['never queued'], { signal: aborted }))).code).toBe('CANCELLED');
      await busy;
      // A signal that never fires changes nothing.
      expect(await engine.classify(['kept'], { signal: new AbortController().signal })).toHaveLength(1);
      expect(engine.stats().rejections.CANCELLED).toBe(2);
    } finally {
      await engine.close();
    }
  });

  test('close() while busy finishes every accepted call, then rejects new ones with ENGINE_CLOSED', async () => {
    const engine = await Engine.load(modelDir, { cacheSize: 0, maxBatchSize: 8 });
    const calls = randomTexts(60, 17).map((text) => engine.classify([text]));
    const closing = engine.close();
    const late = await rejectionOf(engine.classify(['after close']));
    expect(late.code).toBe('ENGINE_CLOSED');
    const results = await Promise.all(calls);
    expect(results.every((r) => r.length === 1)).toBe(true);
    await closing;
    await engine.close(); // idempotent
  });

  test('a failing batch rejects only the calls whose rows it held', async () => {
    // A copy of the demo model that claims 2048 positions: inputs longer than its real position table make ONNX Runtime
    // fail (position index out of range), shorter ones run fine. The token budget keeps long rows alone.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batching-fail-'));
    try {
      for (const f of ['model.onnx', 'tokenizer.json']) fs.copyFileSync(path.join(modelDir, f), path.join(dir, f));
      const config = JSON.parse(fs.readFileSync(path.join(modelDir, 'config.json'), 'utf8'));
      fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...config, max_position_embeddings: 2048 }));
      const engine = await Engine.load(dir, { cacheSize: 0, maxWaitMs: 20, maxBatchTokens: 1200 });
      try {
        const long = 'word '.repeat(1000);
        const calls = [engine.classify(['short and fine']), engine.classify([long]), engine.classify(['also fine'])];
        const settled = await Promise.allSettled(calls);
        expect(settled[0].status).toBe('fulfilled');
        expect(settled[2].status).toBe('fulfilled');
        expect(settled[1].status).toBe('rejected');
        const error = (settled[1] as PromiseRejectedResult).reason;
        expect(error.code).toBe('INFERENCE_FAILED');
        expect(error.message).toMatch(/ONNX Runtime/);
        expect(await engine.classify(['still serving'])).toHaveLength(1);
      } finally {
        await engine.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the result cache answers repeated texts with the same result and counts hits', async () => {
    const engine = await Engine.load(modelDir, { cacheSize: 2 });
    try {
      const [first] = await engine.classify(['a cached review']);
      const [second] = await engine.classify(['a cached review']);
      expect(second).toEqual(first);
      expect(engine.stats().cache).toMatchObject({ hits: 1, misses: 1, size: 1 });
      await engine.classify(['b', 'c']); // evicts the least recently used entry
      expect(engine.stats().cache.size).toBe(2);
      await engine.classify(['a cached review']);
      expect(engine.stats().cache.hits).toBe(1);
    } finally {
      await engine.close();
    }
  });

  test('batching options are validated with clear messages', () => {
    expect(() => Engine.load(modelDir, { maxBatchSize: 0 })).toThrow(/Expected integer between 1 and 4096 for options.maxBatchSize/);
    expect(() => Engine.load(modelDir, { maxWaitMs: -1 })).toThrow(/options.maxWaitMs/);
    expect(() => Engine.load(modelDir, { cacheSize: 1.5 })).toThrow(/options.cacheSize/);
  });

  test('call options are validated with clear messages', async () => {
    const engine = await Engine.load(modelDir);
    try {
      expect(() => engine.classify(['x'], { timeoutMs: -5 })).toThrow(/options.timeoutMs/);
      expect(() => engine.classify(['x'], { signal: 'no' as unknown as AbortSignal })).toThrow(/Expected AbortSignal for options.signal/);
    } finally {
      await engine.close();
    }
  });
});
