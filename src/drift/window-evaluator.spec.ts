/**
 * The worker-thread evaluator: a window evaluated on the worker gives exactly the inline result (same seed, same
 * data), its columns are transferred (detached here), and a failing evaluation rejects with the worker's reason.
 */
import { EvaluationJob, ReferenceJob, runEvaluationJob, runReferenceJob } from './evaluation-job';
import type { FeatureSet } from './feature-set';
import { fitProjection, project } from './projection';
import { SeededRandom } from './stats/seeded-random';
import { niceOf, threadNiceness } from '../../test/support/thread-niceness';
import { WorkerWindowEvaluator } from './window-evaluator';

const RAW_DIM = 8;

function sample(n: number, random: SeededRandom, shift: number) {
  const raw = new Float32Array(n * RAW_DIM);
  for (let i = 0; i < raw.length; i++) raw[i] = random.nextGaussian() + shift;
  const column = () => Float64Array.from({ length: n }, () => random.nextFloat() + shift);
  return {
    raw,
    confidence: column(),
    entropy: column(),
    tokenCount: Float64Array.from({ length: n }, () => 5 + random.nextInt(20)),
    unknownShare: column(),
    nonLetterShare: column(),
    truncated: Uint8Array.from({ length: n }, () => (random.nextFloat() < 0.1 ? 1 : 0)),
    label: Uint16Array.from({ length: n }, () => random.nextInt(2)),
  };
}

function job(shift: number): EvaluationJob {
  const random = new SeededRandom(7);
  const fit = sample(100, random, 0);
  const projection = fitProjection(Float64Array.from(fit.raw), RAW_DIM, 4, 1);
  const ref = sample(120, random, 0);
  const reference: FeatureSet = {
    ...ref,
    size: 120,
    embedding: project(projection, Float64Array.from(ref.raw)),
    embeddingDim: 4,
    labels: ['NEGATIVE', 'POSITIVE'],
  };
  const w = sample(80, random, shift);
  return {
    reference,
    projection,
    window: { ...w, size: 80, embedding: w.raw, rawDim: RAW_DIM, labels: ['NEGATIVE', 'POSITIVE'] },
    options: { alpha: 0.05, permutations: 500, seed: 3, bandwidth: 2 },
  };
}

describe('WorkerWindowEvaluator', () => {
  const evaluator = new WorkerWindowEvaluator();
  afterAll(() => evaluator.onApplicationShutdown());

  it('runs the statistics on a thread 10 nice levels below the event loop, leaving every other thread alone', async () => {
    const base = niceOf(process.pid);
    const lowered = Math.min(19, base + 10);
    if (lowered === base) throw new Error(`this test process already runs at nice ${base}: the worker could not be lower`);
    const before = threadNiceness();
    await evaluator.evaluate(job(0));
    const after = threadNiceness();
    const changed = [...after].filter(([tid, nice]) => nice !== base && before.get(tid) !== nice);
    // Exactly one thread, new since the evaluator started (its worker), runs nicer; the main thread does not.
    expect(changed).toEqual([[expect.any(Number), lowered]]);
    expect(before.has(changed[0][0])).toBe(false);
    expect(after.get(process.pid)).toBe(base);
  });

  it('shutdown lets the evaluations already handed over finish, then stops the thread', async () => {
    const own = new WorkerWindowEvaluator();
    const inline = runEvaluationJob(job(0.8));
    const evaluating = own.evaluate(job(0.8));
    await own.onApplicationShutdown();
    // Terminating the thread at once would have rejected this with "the drift evaluation thread stopped".
    expect((await evaluating).evaluation).toEqual(inline);
    await expect(own.evaluate(job(0))).resolves.toBeDefined(); // a later call starts a new thread
    await own.onApplicationShutdown();
  });

  it('shutdown waits no longer than its grace period for an evaluation', async () => {
    const own = new WorkerWindowEvaluator();
    const evaluating = own.evaluate(job(0.8));
    const settled = evaluating.then(() => 'resolved', (error: Error) => error.message);
    // A grace of 0 ends before the new thread has even started, let alone finished 500 permutations.
    await own.close(0);
    expect(await settled).toMatch(/^the drift evaluation thread stopped/);
  });

  it('gives the same evaluation as the inline computation, and transfers the window', async () => {
    const inline = runEvaluationJob(job(0.8));
    const sent = job(0.8);
    const outcome = await evaluator.evaluate(sent);
    expect(outcome.evaluation).toEqual(inline);
    expect(outcome.evaluationMs).toBeGreaterThan(0);
    expect(inline.status).toBe('drift'); // a shifted window is found
    expect(sent.window.confidence.byteLength).toBe(0); // transferred, not copied
  });

  it('fits a reference on the worker exactly as inline: projection, projected features, bandwidth', async () => {
    const referenceJob = (): ReferenceJob => {
      const random = new SeededRandom(11);
      const fit = sample(60, random, 0);
      const ref = sample(90, random, 0);
      return {
        reference: { ...ref, size: 90, embedding: ref.raw, rawDim: RAW_DIM, labels: ['NEGATIVE', 'POSITIVE'] },
        fit: fit.raw,
        components: 4,
        seed: 5,
      };
    };
    const inline = runReferenceJob(referenceJob());
    const onWorker = await evaluator.fitReference(referenceJob());
    expect(onWorker).toEqual(inline);
    expect(inline.projection).toMatchObject({ method: 'pca', inputDim: RAW_DIM, outputDim: 4 });
    expect(inline.features.embeddingDim).toBe(4);
    expect(inline.features.embedding.length).toBe(90 * 4);
    expect(inline.bandwidth).toBeGreaterThan(0);
  });

  it('rejects with the reason when the statistics refuse the window, and keeps working', async () => {
    const bad = job(0);
    bad.window.confidence[0] = Number.NaN;
    await expect(evaluator.evaluate(bad)).rejects.toThrow(/finite confidence/);
    await expect(evaluator.evaluate(job(0))).resolves.toMatchObject({ evaluation: { correction: 'holm' } });
  });
});
