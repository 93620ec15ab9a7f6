import { evaluateWindow } from './evaluate-window';
import type { DriftEvaluation, FeatureSet } from './feature-set';
import { project, Projection } from './projection';

/**
 * A closed window as the service hands it to the evaluation thread: its columns (transferred, not copied) with
 * the embeddings still raw, plus the reference it is tested against.
 */
export interface EvaluationJob {
  reference: FeatureSet;
  /** Projects raw embeddings to the reference's space; null when embeddings are not tested. */
  projection: Projection | null;
  window: RawWindow;
  options: { alpha: number; permutations: number; seed: number; bandwidth: number };
}

/** A FeatureSet whose embeddings are the model's raw float32 vectors (rawDim wide). */
export interface RawWindow extends Omit<FeatureSet, 'embedding' | 'embeddingDim'> {
  embedding: Float32Array;
  rawDim: number;
}

/** Projects the window's embeddings like the reference's, then runs the tests. Pure; runs on the worker thread. */
export function runEvaluationJob(job: EvaluationJob): DriftEvaluation {
  const { window, projection, reference } = job;
  let embedding: Float64Array = new Float64Array(0);
  let embeddingDim = 0;
  if (projection && reference.embeddingDim > 0 && window.rawDim === projection.inputDim) {
    embedding = project(projection, Float64Array.from(window.embedding));
    embeddingDim = projection.outputDim;
  }
  const features: FeatureSet = { ...window, embedding, embeddingDim };
  const referenceFeatures = embeddingDim > 0 ? reference : { ...reference, embedding: new Float64Array(0), embeddingDim: 0 };
  return evaluateWindow(referenceFeatures, features, job.options);
}
