import { evaluateWindow, referenceBandwidth } from './evaluate-window';
import type { DriftEvaluation, FeatureSet } from './feature-set';
import { fitProjection, project, Projection } from './projection';

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

/** A reference's raw features and the texts' embeddings to fit the projection on, for the evaluation thread. */
export interface ReferenceJob {
  reference: RawWindow;
  /** Raw embeddings of the projection's own texts, row-major, reference.rawDim wide (empty without embeddings). */
  fit: Float32Array;
  /** Components to keep (at most the embedding width). */
  components: number;
  seed: number;
}

export interface ReferenceFit {
  /** Null when there is no embedding or too few texts to fit on. */
  projection: Projection | null;
  /** The reference with its embeddings projected (embeddingDim 0 without a projection). */
  features: FeatureSet;
  /** The MMD bandwidth fixed from the projected reference (0 without embeddings). */
  bandwidth: number;
}

/** Fits the projection, projects the reference and fixes the MMD bandwidth. Pure; runs on the worker thread. */
export function runReferenceJob(job: ReferenceJob): ReferenceFit {
  const { reference } = job;
  const dim = reference.rawDim;
  const fitRows = dim > 0 ? job.fit.length / dim : 0;
  const projection = dim > 0 && fitRows >= 2 ? fitProjection(Float64Array.from(job.fit), dim, job.components, job.seed) : null;
  const embedding: Float64Array = projection ? project(projection, Float64Array.from(reference.embedding)) : new Float64Array(0);
  const features: FeatureSet = { ...reference, embedding, embeddingDim: projection ? projection.outputDim : 0 };
  return { projection, features, bandwidth: projection ? referenceBandwidth(features) : 0 };
}
